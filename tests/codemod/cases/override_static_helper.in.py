# expect: functions S2A100 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, ResponsesAgentStreamEvent


class Signed(ResponsesAgent):
    def create_text_output_item(self, text: str, id: str) -> dict:
        return {
            "id": id, "type": "message", "role": "assistant",
            "content": [{"type": "output_text", "text": text + " -- signed", "annotations": []}],
        }

    def create_text_delta(self, delta: str, item_id: str) -> dict:
        return {"type": "response.output_text.delta", "item_id": item_id, "delta": delta.upper()}

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item("answer", "s")])

    def predict_stream(self, request):
        yield ResponsesAgentStreamEvent(**self.create_text_delta("answer", "s"))
        yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                        item=self.create_text_output_item("answer", "s"))


mlflow.models.set_model(Signed())
