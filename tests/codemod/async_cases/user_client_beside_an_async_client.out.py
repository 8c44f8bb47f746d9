# expect: functions S2A100 S2A111 S2A133 S2A170 S2A171 S2A173
"""A user client built per request beside a model client built once: the model call is awaited, while building the user's
client (which asks the workspace for its host metadata) and calling it run in worker threads, where the request's
headers are still visible."""
from mlflow.types.responses import ResponsesAgentStreamEvent, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.utils import get_user_workspace_client
from agent_server.adapters import stream_events_from_response, in_worker_thread
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

client = AsyncOpenAI(http_client=async_http_client())


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    user = await in_worker_thread(get_user_workspace_client)
    name = (await in_worker_thread(user.current_user.me)).user_name
    response = await client.responses.create(model="databricks-gpt-5", input=[i.model_dump() for i in request.input])
    out = [item.model_dump() for item in response.output]
    return ResponsesAgentResponse(output=out, custom_outputs={"user": name})


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
