# expect: functions S2A100 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, ResponsesAgentStreamEvent


class Chunky(ResponsesAgent):
    def predict(self, request):
        done = [e.item for e in self.predict_stream(request, chunk_size=100) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=done)

    def predict_stream(self, request, chunk_size: int = 4):
        text = "abcdefghij"
        for start in range(0, len(text), chunk_size):
            yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=text[start:start + chunk_size], item_id="c"))
        yield ResponsesAgentStreamEvent(
            type="response.output_item.done", item=self.create_text_output_item(text=text, id="c")
        )


AGENT = Chunky()
mlflow.models.set_model(AGENT)
