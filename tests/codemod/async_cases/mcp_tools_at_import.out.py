# expect: functions S2A100 S2A111 S2A170 S2A174 S2A175
import asyncio
from databricks_langchain import ChatDatabricks, DatabricksMCPServer, DatabricksMultiServerMCPClient
from langgraph.prebuilt import create_react_agent
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

mcp_client = DatabricksMultiServerMCPClient([DatabricksMCPServer(name="uc", url="https://example/api/2.0/mcp/functions/main/tools")])
TOOLS = None
_tools_lock = asyncio.Lock()


async def load_tools():
    """TOOLS, computed once on first use (it needs the event loop, which import time does not have)."""
    global TOOLS
    async with _tools_lock:
        if TOOLS is None:
            TOOLS = await mcp_client.get_tools()
    return TOOLS
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    graph = create_react_agent(llm, tools=(await load_tools()))
    result = await graph.ainvoke({"messages": [("user", request.input[-1].content)]})
    return ResponsesAgentResponse(output=[create_text_output_item(text=result["messages"][-1].content, id="m")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
