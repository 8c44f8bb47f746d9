# expect: adapter S2A101 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Constant(ResponsesAgent):
    PREFIX = "constant: "

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.PREFIX + "x", id="c")])


AGENT = Constant()
mlflow.models.set_model(AGENT)
