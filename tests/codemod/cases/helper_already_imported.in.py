# expect: functions S2A100 S2A110 S2A111
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, create_text_output_item

GREETING = create_text_output_item(text="hello", id="g0")


class Greeter(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[GREETING, self.create_text_output_item(text="again", id="g1")])


AGENT = Greeter()
mlflow.models.set_model(AGENT)
