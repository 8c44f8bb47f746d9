# expect: functions S2A100 S2A110 S2A111
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class WithProperty(ResponsesAgent):
    def __init__(self):
        self.base = "model"

    @property
    def model_name(self):
        return f"{self.base}-v2"

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.model_name, id="p")])


AGENT = WithProperty()
mlflow.models.set_model(AGENT)
