# expect: adapter S2A101 S2A110
# behaviour: not compared (no set_model: the original is not a model from code)
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Lonely(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="lonely", id="l")])
