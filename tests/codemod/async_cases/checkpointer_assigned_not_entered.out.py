# expect: functions S2A100 S2A110 S2A111 S2A172
"""A CheckpointSaver assigned, not entered with `with`: only the `with` form becomes `async with AsyncCheckpointSaver`,
so this one stays synchronous, and so does the graph given it (its ainvoke would call the sync saver's missing async
methods)."""
from databricks_langchain import ChatDatabricks, CheckpointSaver
from langgraph.graph import StateGraph, MessagesState
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    checkpointer = CheckpointSaver(instance_name="mem")
    graph = builder.compile(checkpointer=checkpointer)
    result = graph.invoke({"messages": [("user", request.input[-1].content)]}, {"configurable": {"thread_id": "t"}})
    return ResponsesAgentResponse(output=[create_text_output_item(text=result["messages"][-1].content, id="m")])


# The agent's set-up, formerly its __init__ and load_context.
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
builder = StateGraph(MessagesState)
builder.add_node("model", lambda state: {"messages": [llm.invoke(state["messages"])]})
builder.set_entry_point("model")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
