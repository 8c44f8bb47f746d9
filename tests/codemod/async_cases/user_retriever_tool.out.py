# expect: functions S2A100 S2A110 S2A111 S2A133 S2A172
"""The documented on-behalf-of-user retriever: databricks-langchain's vector search tool handed the user's workspace
client, built per request. The tool reads the client's config to give its vector search client the user's token."""
from databricks_langchain import VectorSearchRetrieverTool
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.utils import get_user_workspace_client
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    retriever = VectorSearchRetrieverTool(
        index_name="main.docs.index", num_results=1,
        workspace_client=get_user_workspace_client(),
    )
    docs = retriever.invoke(request.input[-1].content)
    return ResponsesAgentResponse(output=[create_text_output_item(f"may read: {docs}", "msg_1")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
