# expect: adapter S2A101 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Delegating(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="d", id="d")])

    def predict_stream(self, request):
        yield from super().predict_stream(request)


AGENT = Delegating()
mlflow.models.set_model(AGENT)
