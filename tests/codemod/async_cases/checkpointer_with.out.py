# expect: functions S2A100 S2A111 S2A170
from databricks_langchain import AsyncCheckpointSaver, ChatDatabricks
from langgraph.graph import StateGraph, MessagesState
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

LAKEBASE_INSTANCE = "agent-memory"


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    thread_id = (request.custom_inputs or {}).get("thread_id") or request.context.conversation_id
    async with AsyncCheckpointSaver(instance_name=LAKEBASE_INSTANCE) as checkpointer:
        graph = builder.compile(checkpointer=checkpointer)
        result = await graph.ainvoke({"messages": [("user", request.input[-1].content)]},
                              {"configurable": {"thread_id": thread_id}})
    return ResponsesAgentResponse(output=[create_text_output_item(text=result["messages"][-1].content, id="m")])


# The agent's set-up, formerly its __init__ and load_context.
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
builder = StateGraph(MessagesState)
builder.add_node("model", lambda state: {"messages": [llm.invoke(state["messages"])]})
builder.set_entry_point("model")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
