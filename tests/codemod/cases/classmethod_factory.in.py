# expect: adapter S2A101 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Built(ResponsesAgent):
    def __init__(self, name):
        self.name = name

    @classmethod
    def default(cls):
        return cls("default")

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.name, id="b")])


AGENT = Built("served")
mlflow.models.set_model(AGENT)
