# expect: adapter S2A101 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


def describe(agent):
    return type(agent).__name__


class Introspective(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=describe(self), id="i")])


AGENT = Introspective()
mlflow.models.set_model(AGENT)
