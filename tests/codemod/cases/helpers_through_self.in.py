# expect: functions S2A100 S2A110 S2A111
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Helpful(ResponsesAgent):
    def _last_message(self, request):
        return request.input[-1].content

    @staticmethod
    def _shout(text: str) -> str:
        return text.upper()

    def _answer(self, request):
        return self._shout(self._last_message(request))

    def predict(self, request):
        formatter = self._shout  # a bound method used as a value
        return ResponsesAgentResponse(
            output=[self.create_text_output_item(text=formatter(self._answer(request)), id="h")]
        )


AGENT = Helpful()
mlflow.models.set_model(AGENT)
