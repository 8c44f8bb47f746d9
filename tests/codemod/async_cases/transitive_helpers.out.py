# expect: functions S2A100 S2A170
from databricks_langchain import ChatDatabricks
from langgraph.prebuilt import create_react_agent
from mlflow.types.responses import create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def lookup_order(order_id: str) -> str:
    """Look up an order (a tool: the graph calls it, so it stays as it is)."""
    return f"order {order_id}: shipped"


def _inputs(request):
    return {"messages": [{"role": m.role, "content": m.content} for m in request.input]}


async def _title(request) -> str:
    return (await llm.ainvoke(f"Title for: {request.input[0].content}")).content


async def _events(request):
    async for update in graph.astream(_inputs(request), stream_mode="updates"):
        for node in update.values():
            for item in node["messages"]:
                yield item


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    outputs = [e.item async for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=outputs, custom_outputs={"title": await _title(request)})


async def predict_stream(request: ResponsesAgentRequest):
    messages = _events(request)
    async for message in messages:
        yield ResponsesAgentStreamEvent(
            type="response.output_item.done", item=create_text_output_item(text=str(message.content), id="m")
        )
    for item in _closing():
        yield item


def _closing():
    yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                    item=create_text_output_item(text=lookup_order("42"), id="end"))


# The agent's set-up, formerly its __init__ and load_context.
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
graph = create_react_agent(llm, tools=[lookup_order])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
