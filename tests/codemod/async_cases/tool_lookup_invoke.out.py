# expect: functions S2A100 S2A111 S2A170 S2A171
import json
from databricks_langchain import ChatDatabricks, VectorSearchRetrieverTool
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

tools = [VectorSearchRetrieverTool(index_name="main.docs.chunks")]
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5").bind_tools(tools)
tools_by_name = {t.name: t for t in tools}


def run_tool(tool, args):
    # `tool` could be anything; its invoke most likely does I/O (a retriever here): a worker thread.
    return tool.invoke(args)


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    messages = [{"role": "user", "content": request.input[-1].content}]
    for _ in range(3):
        msg = await llm.ainvoke(messages)
        if not msg.tool_calls:
            break
        for call in msg.tool_calls:
            # A tool looked up by name: its type is unknown, and VectorSearchRetrieverTool.invoke queries an index.
            result = await in_worker_thread(tools_by_name[call["name"]].invoke, call["args"])
            again = await in_worker_thread(run_tool, tools_by_name[call["name"]], call["args"])
            messages.append({"role": "tool", "content": json.dumps([result, again]), "tool_call_id": call["id"]})
    return ResponsesAgentResponse(output=[create_text_output_item(text=msg.content, id="m")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
