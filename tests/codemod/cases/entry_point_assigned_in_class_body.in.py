# expect: adapter S2A101 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


def shared_predict(self, request):
    """An entry point written once for several agent classes, bound to each by assignment in its body."""
    return ResponsesAgentResponse(output=[self.create_text_output_item(text=self(request.input[-1].content), id="m")])


class Greeter(ResponsesAgent):
    predict = shared_predict

    def __init__(self):
        self.greeting = "hello"

    def __call__(self, text):
        return f"{self.greeting}: {text}"


mlflow.models.set_model(Greeter())
