# expect: instance S2A101 S2A107 S2A108
# behaviour: not compared (a chat interface: tests/test_chat_agents.py serves it beside the original)
import uuid
from mlflow.pyfunc import PythonModelContext, ChatAgent
from mlflow.types.agent import ChatAgentMessage, ChatAgentResponse
from agent_server.adapters import ServedAgent
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent

model_context = PythonModelContext(
    artifacts={
    },
    model_config=None,
)
SERVED_AGENT = ServedAgent(model_context)


class Old(ChatAgent):
    """Answers with the last user message, shouted."""

    def predict(self, messages, context=None, custom_inputs=None):
        text = messages[-1].content.upper()
        return ChatAgentResponse(messages=[ChatAgentMessage(role="assistant", content=text, id=str(uuid.uuid4()))])


SERVED_AGENT.set(Old())


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await SERVED_AGENT.invoke(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in SERVED_AGENT.stream(request):
        yield event
