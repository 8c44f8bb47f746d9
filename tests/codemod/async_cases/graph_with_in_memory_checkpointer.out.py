# expect: functions S2A100 S2A111 S2A170
"""A graph compiled with LangGraph's in-memory checkpointer and store, whose async methods work beside the sync
ones: the graph runs with ainvoke on the event loop."""
from databricks_langchain import ChatDatabricks
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import MessagesState, StateGraph
from langgraph.store.memory import InMemoryStore
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
builder = StateGraph(MessagesState)
builder.add_node("agent", lambda state: {"messages": [llm.invoke(state["messages"])]})
builder.set_entry_point("agent")
graph = builder.compile(checkpointer=InMemorySaver(), store=InMemoryStore())


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    thread = (request.custom_inputs or {}).get("thread_id", "t")
    result = await graph.ainvoke({"messages": [("user", request.input[-1].content)]}, {"configurable": {"thread_id": thread}})
    return ResponsesAgentResponse(output=[create_text_output_item(text=result["messages"][-1].content, id="m")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
