# expect: registered S2A105
import mlflow
from mlflow.genai.agent_server import invoke, stream
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent


class Native(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="native", id="n")])


AGENT = Native()
mlflow.models.set_model(AGENT)


@invoke()
async def handle(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return AGENT.predict(request)


@stream()
async def handle_stream(request: ResponsesAgentRequest):
    for item in AGENT.predict(request).output:
        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)
