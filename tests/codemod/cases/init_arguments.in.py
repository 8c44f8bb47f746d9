# expect: functions S2A100 S2A110 S2A111
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

ENDPOINT = "databricks-claude-sonnet-4-5"


class Configured(ResponsesAgent):
    def __init__(self, endpoint, temperature=0.2, *, max_tokens=512, system="You help."):
        self.endpoint = endpoint
        self.settings = {"temperature": temperature, "max_tokens": max_tokens}
        self.system = system.strip()

    def predict(self, request):
        text = f"{self.endpoint} {self.settings['temperature']} {self.system}"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="c")])


AGENT = Configured(ENDPOINT, max_tokens=1024)
mlflow.models.set_model(AGENT)
