# expect: registered S2A104 S2A105
import mlflow
from mlflow.genai.agent_server import invoke, stream
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent


class Wrapped(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="wrapped", id="w")])

    def predict_stream(self, request):
        for item in self.predict(request).output:
            yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


AGENT = Wrapped()


@invoke()
def handle(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return AGENT.predict(request)


@stream()
def handle_stream(request: ResponsesAgentRequest):
    yield from AGENT.predict_stream(request)


try:
    READY = True
finally:
    mlflow.models.set_model(AGENT)
