# expect: instance S2A101 S2A107
import os
from mlflow.pyfunc import PythonModelContext, ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.adapters import ServedAgent
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

model_context = PythonModelContext(
    artifacts={
    },
    model_config=None,
)
SERVED_AGENT = ServedAgent(model_context)


class Quiet(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="quiet", id="q")])

    def predict_stream(self, request):
        for item in self.predict(request).output:
            yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


class Loud(Quiet):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="LOUD", id="q")])


if os.environ.get("AGENT_VOICE") == "loud":
    AGENT = Loud()
else:
    AGENT = Quiet()
SERVED_AGENT.set(AGENT)


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await SERVED_AGENT.invoke(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in SERVED_AGENT.stream(request):
        yield event
