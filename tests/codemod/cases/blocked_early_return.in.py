# expect: adapter S2A101 S2A110
import os

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Early(ResponsesAgent):
    def __init__(self):
        self.text = "default"
        if not os.environ.get("AGENT_TEXT"):
            return
        self.text = os.environ["AGENT_TEXT"]

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.text, id="e")])


AGENT = Early()
mlflow.models.set_model(AGENT)
