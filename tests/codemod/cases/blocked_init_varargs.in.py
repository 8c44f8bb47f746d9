# expect: adapter S2A101 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Flexible(ResponsesAgent):
    def __init__(self, **options):
        self.text = options.get("text", "flexible")

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.text, id="f")])


AGENT = Flexible(text="given")
mlflow.models.set_model(AGENT)
