# expect: functions S2A100 S2A111 S2A170
from databricks_langchain import ChatDatabricks
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    messages = [{"role": m.role, "content": m.content} for m in request.input]
    reply = (await llm.ainvoke(messages)).content
    return ResponsesAgentResponse(output=[create_text_output_item(text=reply, id="msg-1")])


# The agent's set-up, formerly its __init__ and load_context.
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
