# expect: functions S2A100 S2A111 S2A170 S2A171
"""A ChatDatabricks built by the function that calls it (its temperature comes with the request). Its first async
call builds a WorkspaceClient, which asks the workspace for its host metadata over blocking HTTP, on the event
loop: on every request here. So that model's calls stay synchronous, in a worker thread (S2A171 says why), while
the model built once, at start-up, is awaited."""
from databricks_langchain import ChatDatabricks
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    temperature = float((request.custom_inputs or {}).get("temperature", 0))
    llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5", temperature=temperature)
    graph = create_react_agent(llm, tools=[get_weather])
    result = await in_worker_thread(graph.invoke, {"messages": [{"role": "user", "content": request.input[-1].content}]})
    summary = await summarizer.ainvoke([{"role": "user", "content": result["messages"][-1].content}])
    return ResponsesAgentResponse(output=[create_text_output_item(text=summary.content, id="m")])


# The agent's set-up, formerly its __init__ and load_context.
summarizer = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
