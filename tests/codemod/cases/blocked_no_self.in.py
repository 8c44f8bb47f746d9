# expect: adapter S2A101 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Odd(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=Odd.label(), id="o")])

    def label():  # called on the class, never on an instance
        return "no self"


AGENT = Odd()
mlflow.models.set_model(AGENT)
