# expect: adapter S2A101 S2A110 S2A130
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Tunable(ResponsesAgent):
    def __init__(self):
        self._temperature = 0.1

    @property
    def temperature(self):
        return self._temperature

    @temperature.setter
    def temperature(self, value):
        self._temperature = value

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=str(self.temperature), id="t")])


AGENT = Tunable()
mlflow.models.set_model(AGENT)
