# expect: functions S2A100 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, ResponsesAgentStreamEvent


class EarlyExit(ResponsesAgent):
    def predict(self, request):
        items = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=items)

    def predict_stream(self, request):
        if not request.input:
            return
        yield ResponsesAgentStreamEvent(
            type="response.output_item.done", item=self.create_text_output_item(text="there was input", id="x")
        )


AGENT = EarlyExit()
mlflow.models.set_model(AGENT)
