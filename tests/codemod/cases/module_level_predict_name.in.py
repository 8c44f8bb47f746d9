# expect: functions S2A100 S2A110 S2A111
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


def predict(text):
    """A module function that happens to share the method's name."""
    return text[::-1]


class Clashing(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=predict("olleh"), id="c")])


AGENT = Clashing()
mlflow.models.set_model(AGENT)
