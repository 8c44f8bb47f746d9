# expect: functions S2A100 S2A111 S2A170
from langgraph.graph import StateGraph, MessagesState
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def respond(state: MessagesState):
    return {"messages": [("assistant", "ok")]}


builder = StateGraph(MessagesState)
builder.add_node("respond", respond)
builder.set_entry_point("respond")


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    config = {"configurable": {"thread_id": request.custom_inputs["thread_id"]}}
    await graph.aupdate_state(config, {"messages": [("user", request.input[-1].content)]})
    state = await graph.aget_state(config)
    text = state.values["messages"][-1].content
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="m")])


# The agent's set-up, formerly its __init__ and load_context.
graph = builder.compile()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
