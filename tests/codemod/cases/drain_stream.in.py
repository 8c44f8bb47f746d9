# expect: functions S2A100 S2A110
"""predict drains predict_stream: the most common shape."""
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent


class ChatBot(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        # keep only finished items
        outputs = [
            event.item
            for event in self.predict_stream(request)
            if event.type == "response.output_item.done"
        ]
        return ResponsesAgentResponse(output=outputs)

    def predict_stream(self, request: ResponsesAgentRequest):
        text = request.input[-1].content
        yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=text, item_id="m1"))
        yield ResponsesAgentStreamEvent(
            type="response.output_item.done",
            item=self.create_text_output_item(text=text, id="m1"),
        )


AGENT = ChatBot()
mlflow.models.set_model(AGENT)
