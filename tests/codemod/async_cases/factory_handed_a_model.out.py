# expect: functions S2A100 S2A111 S2A170
from databricks_langchain import ChatDatabricks
from langgraph.prebuilt import create_react_agent
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

llm = ChatDatabricks(endpoint="databricks-gpt-5")


def build_graph(model, tools):
    # Handed a chat model, but a factory: what it returns is a graph, whose ainvoke the caller awaits.
    return create_react_agent(model, tools)


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    graph = build_graph(llm, [])
    result = await graph.ainvoke({"messages": [{"role": m.role, "content": m.content} for m in request.input]})
    return ResponsesAgentResponse(output=[create_text_output_item(text=result["messages"][-1].content, id="g")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
