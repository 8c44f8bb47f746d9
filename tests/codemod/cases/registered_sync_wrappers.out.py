# expect: registered S2A104 S2A105
from mlflow.genai.agent_server import invoke, stream
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator


class Wrapped(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="wrapped", id="w")])

    def predict_stream(self, request):
        for item in self.predict(request).output:
            yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


AGENT = Wrapped()


def handle(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return AGENT.predict(request)


def handle_stream(request: ResponsesAgentRequest):
    yield from AGENT.predict_stream(request)


try:
    READY = True
finally:
    pass


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(handle, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(handle_stream, request):
        yield event
