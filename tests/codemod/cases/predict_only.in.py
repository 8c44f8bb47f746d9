# expect: functions S2A100 S2A110 S2A111
from mlflow.models import set_model
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Answerer(ResponsesAgent):
    def predict(self, request, params=None):
        item = self.create_text_output_item(text="42", id="a1")
        return ResponsesAgentResponse(output=[item])


set_model(Answerer())
