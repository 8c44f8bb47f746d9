# expect: functions S2A100 S2A111 S2A170 S2A173
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

DOCUMENTS = ["shipping takes two days", "returns are free"]


async def _nearest(question: str) -> str:
    vectors = await client.embeddings.create(model="databricks-gte-large-en", input=[question, *DOCUMENTS])
    query, *docs = [d.embedding for d in vectors.data]
    scores = [sum(a * b for a, b in zip(query, doc)) for doc in docs]
    return DOCUMENTS[scores.index(max(scores))]


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return ResponsesAgentResponse(output=[create_text_output_item(text=await _nearest(request.input[-1].content), id="m")])


# The agent's set-up, formerly its __init__ and load_context.
client = AsyncOpenAI(http_client=async_http_client())


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
