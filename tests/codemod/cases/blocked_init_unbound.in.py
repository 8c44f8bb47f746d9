# expect: adapter S2A101 S2A110
# behaviour: not compared (the original cannot be built either: __init__ needs an argument set_model's call omits)
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Needy(ResponsesAgent):
    def __init__(self, text):
        self.text = text

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.text, id="n")])


AGENT = Needy()
mlflow.models.set_model(AGENT)
