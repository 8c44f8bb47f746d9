# expect: functions S2A100 S2A110 S2A111 S2A121
import mlflow
from mlflow.entities import SpanType
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Traced(ResponsesAgent):
    @mlflow.trace(span_type=SpanType.AGENT)
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.lookup("x"), id="t")])

    @mlflow.trace(span_type=SpanType.TOOL)
    def lookup(self, key):
        return key * 2


AGENT = Traced()
mlflow.models.set_model(AGENT)
