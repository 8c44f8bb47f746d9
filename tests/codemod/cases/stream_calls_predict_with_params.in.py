# expect: functions S2A100 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, ResponsesAgentStreamEvent


class Relay(ResponsesAgent):
    def predict(self, request, params=None):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="relayed", id="r")])

    def predict_stream(self, request, params=None):
        # The stream is the whole answer, item by item, as many notebook agents do it.
        for item in self.predict(request, params).output:
            yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


AGENT = Relay()
mlflow.models.set_model(AGENT)
