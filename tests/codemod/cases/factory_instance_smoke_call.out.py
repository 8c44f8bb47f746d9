# expect: instance S2A101 S2A106 S2A107
from mlflow.pyfunc import PythonModelContext, ResponsesAgent
from mlflow.types.responses import ResponsesAgentStreamEvent, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import ServedAgent
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

model_context = PythonModelContext(
    artifacts={
    },
    model_config=None,
)
SERVED_AGENT = ServedAgent(model_context)


class Built(ResponsesAgent):
    def __init__(self, text):
        self.text = text

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.text, id="f")])


def build_agent():
    return Built("built by a factory")


AGENT = build_agent()
AGENT.predict(ResponsesAgentRequest(input=[{"role": "user", "content": "smoke test"}]))
SERVED_AGENT.set(AGENT)


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await SERVED_AGENT.invoke(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in SERVED_AGENT.stream(request):
        yield event
