# expect: functions S2A100 S2A110 S2A111 S2A133 S2A172
"""The documented on-behalf-of-user shape: the user's client built in predict and handed to the model client. The model
client, built per request too, stays synchronous, in a worker thread, where the request's headers are still visible."""
from databricks_openai import DatabricksOpenAI
from mlflow.types.responses import ResponsesAgentStreamEvent, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.utils import get_user_workspace_client
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    user_client = get_user_workspace_client()
    client = DatabricksOpenAI(workspace_client=user_client)
    response = client.responses.create(model="databricks-gpt-5", input=[i.model_dump() for i in request.input])
    return ResponsesAgentResponse(output=[item.model_dump() for item in response.output])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
