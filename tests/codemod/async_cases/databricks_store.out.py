# expect: functions S2A100 S2A111 S2A170 S2A173
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from databricks_langchain import AsyncDatabricksStore
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    user_id = (request.custom_inputs or {}).get("user_id", "anonymous")
    await store.aput(("memories", user_id), "last", {"text": request.input[-1].content})
    found = await store.asearch(("memories", user_id), query=request.input[-1].content, limit=3)
    previous = await store.aget(("memories", user_id), "last")
    text = f"{len(found)} memories; last: {previous.value['text']}"
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="m")])


# The agent's set-up, formerly its __init__ and load_context.
store = AsyncDatabricksStore(instance_name="agent-memory")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
