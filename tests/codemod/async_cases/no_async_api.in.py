# expect: functions S2A100 S2A110 S2A172
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent


class Echo(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=request.input[-1].content, id="m")])

    def predict_stream(self, request: ResponsesAgentRequest):
        yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                        item=self.create_text_output_item(text=request.input[-1].content, id="m"))


mlflow.models.set_model(Echo())
