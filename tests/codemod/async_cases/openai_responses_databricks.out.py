# expect: functions S2A100 S2A111 S2A170 S2A173
from mlflow.types.responses import ResponsesAgentStreamEvent, ResponsesAgentRequest, ResponsesAgentResponse
from databricks_openai import AsyncDatabricksOpenAI
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    response = await client.responses.create(model="databricks-gpt-5", input=[i.model_dump() for i in request.input])
    return ResponsesAgentResponse(output=[item.model_dump() for item in response.output])


# The agent's set-up, formerly its __init__ and load_context.
client = AsyncDatabricksOpenAI()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
