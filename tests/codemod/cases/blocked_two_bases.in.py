# expect: adapter S2A101 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Greeting:
    greeting = "hello from a mixin"


class Mixed(Greeting, ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.greeting, id="m")])


AGENT = Mixed()
mlflow.models.set_model(AGENT)
