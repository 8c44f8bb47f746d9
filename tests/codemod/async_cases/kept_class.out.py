# expect: adapter S2A101 S2A110 S2A176
from databricks_langchain import ChatDatabricks
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentStreamEvent, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


class Base(ResponsesAgent):
    def __init__(self):
        self.llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")


class Kept(Base):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.llm.invoke("hi").content, id="m")])


AGENT = Kept()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(AGENT.predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(AGENT.predict, request)
    for event in stream_events_from_response(response):
        yield event
