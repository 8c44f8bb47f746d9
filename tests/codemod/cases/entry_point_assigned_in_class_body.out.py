# expect: adapter S2A101 S2A110
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def shared_predict(self, request):
    """An entry point written once for several agent classes, bound to each by assignment in its body."""
    return ResponsesAgentResponse(output=[self.create_text_output_item(text=self(request.input[-1].content), id="m")])


class Greeter(ResponsesAgent):
    predict = shared_predict

    def __init__(self):
        self.greeting = "hello"

    def __call__(self, text):
        return f"{self.greeting}: {text}"


AGENT = Greeter()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(AGENT.predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(AGENT.predict, request)
    for event in stream_events_from_response(response):
        yield event
