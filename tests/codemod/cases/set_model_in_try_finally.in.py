# expect: instance S2A101 S2A107
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

try:
    GREETING = "hello from the try block"
    import json
except ImportError:
    json = None


class Greeter(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=GREETING, id="g")])


try:
    AGENT = Greeter()
    SUFFIX = "!"
finally:
    mlflow.models.set_model(AGENT)
