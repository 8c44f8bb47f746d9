# expect: adapter S2A101 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


SETTINGS = {"text": "from settings"}


class Configured(ResponsesAgent):
    def __init__(self, text):
        self.text = text

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.text, id="c")])


AGENT = Configured(**SETTINGS)
mlflow.models.set_model(AGENT)
