# expect: functions S2A100 S2A110 S2A111
# behaviour: not compared (ResponsesAgent makes predict abstract: the original cannot be instantiated)
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentStreamEvent


class Streamer(ResponsesAgent):
    def predict_stream(self, request):
        for i in range(3):
            yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=str(i), item_id="s"))
        yield ResponsesAgentStreamEvent(
            type="response.output_item.done", item=self.create_text_output_item(text="012", id="s")
        )


mlflow.models.set_model(Streamer())
