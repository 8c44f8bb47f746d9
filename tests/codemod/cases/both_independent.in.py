# expect: functions S2A100 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, ResponsesAgentStreamEvent


class Twin(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="whole", id="t")])

    def predict_stream(self, request):
        yield ResponsesAgentStreamEvent(
            type="response.output_item.done", item=self.create_text_output_item(text="streamed", id="t")
        )


mlflow.models.set_model(Twin())
