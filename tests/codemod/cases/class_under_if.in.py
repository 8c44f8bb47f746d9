# expect: adapter S2A101 S2A110
import os

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

if os.environ.get("FANCY"):
    class Agent(ResponsesAgent):
        def predict(self, request):
            return ResponsesAgentResponse(output=[self.create_text_output_item(text="fancy", id="f")])
else:
    class Agent(ResponsesAgent):
        def predict(self, request):
            return ResponsesAgentResponse(output=[self.create_text_output_item(text="plain", id="p")])

AGENT = Agent()
mlflow.models.set_model(AGENT)
