# expect: functions S2A100 S2A103 S2A110
# behaviour: not compared (the original needs an mlflow that still has the old names)
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesRequest, ResponsesResponse, ResponsesStreamEvent


class Early(ResponsesAgent):
    def predict(self, request: ResponsesRequest) -> ResponsesResponse:
        done = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesResponse(output=done)

    def predict_stream(self, request: ResponsesRequest):
        yield ResponsesStreamEvent(type="response.output_item.done",
                                   item=self.create_text_output_item(text="early", id="e"))


AGENT = Early()
mlflow.models.set_model(AGENT)
