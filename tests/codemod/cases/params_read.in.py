# expect: functions S2A100 S2A110 S2A111 S2A120
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class WithParams(ResponsesAgent):
    def predict(self, request, params=None):
        """Answers, honouring an optional prefix."""
        prefix = (params or {}).get("prefix", "")
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=prefix + "ok", id="p")])


AGENT = WithParams()
mlflow.models.set_model(AGENT)
