# expect: adapter S2A101 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


def registered(cls):
    cls.label = "decorated"
    return cls


@registered
class Decorated(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.label, id="d")])


AGENT = Decorated()
mlflow.models.set_model(AGENT)
