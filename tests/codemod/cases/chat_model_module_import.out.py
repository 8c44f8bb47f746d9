# expect: instance S2A101 S2A107 S2A108
# behaviour: not compared (a chat interface: tests/test_chat_agents.py serves it beside the original)
import mlflow
from mlflow.types.llm import ChatChoice, ChatCompletionResponse, ChatMessage
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


class EchoModel(mlflow.pyfunc.ChatModel):
    def load_context(self, context):
        self.prefix = "echo: "

    def predict(self, context, messages, params):
        reply = ChatMessage(role="assistant", content=self.prefix + messages[-1].content)
        return ChatCompletionResponse(choices=[ChatChoice(index=0, message=reply)])


model = EchoModel()
SERVED_AGENT.set(model)


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await SERVED_AGENT.invoke(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in SERVED_AGENT.stream(request):
        yield event
