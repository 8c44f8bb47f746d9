# expect: functions S2A100 S2A110 S2A111
import mlflow.models
import mlflow.pyfunc as pf
from mlflow.types import responses


class Qualified(pf.ResponsesAgent):
    def predict(self, request):
        return responses.ResponsesAgentResponse(output=[self.create_text_output_item(text="qualified", id="q")])


AGENT = Qualified()
mlflow.models.set_model(AGENT)
