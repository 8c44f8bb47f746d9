# expect: adapter S2A101 S2A110
from functools import cached_property
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


class OverridesItsCachedProperty(ResponsesAgent):
    """Assigning a cached property replaces its value on the instance; a function computed once cannot follow."""

    def __init__(self, name=None):
        if name:
            self.model_name = name

    @cached_property
    def model_name(self):
        return "model-v2"

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.model_name, id="p")])


AGENT = OverridesItsCachedProperty()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(AGENT.predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(AGENT.predict, request)
    for event in stream_events_from_response(response):
        yield event
