# expect: instance S2A101 S2A107
# behaviour: not compared (the class lives in the model's code/ package, which the tests do not have)

from support_bot.agent import SupportAgent
from agent_server.adapters import ServedAgent
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream
from mlflow.pyfunc import PythonModelContext
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent

model_context = PythonModelContext(
    artifacts={
    },
    model_config=None,
)
SERVED_AGENT = ServedAgent(model_context)

SERVED_AGENT.set(SupportAgent(temperature=0.1))


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await SERVED_AGENT.invoke(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in SERVED_AGENT.stream(request):
        yield event
