# expect: functions S2A100 S2A111 S2A170 S2A171
from databricks.vector_search.client import VectorSearchClient
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
import asyncio
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


async def _search(query: str) -> list[str]:
    for attempt in range(3):
        try:
            hits = await in_worker_thread(index.similarity_search, query_text=query, columns=["text"], num_results=3)
            return [row[0] for row in hits["result"]["data_array"]]
        except ConnectionError:
            await asyncio.sleep(2**attempt)
    return []


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    found = await _search(request.input[-1].content)
    return ResponsesAgentResponse(output=[create_text_output_item(text="\n".join(found), id="m")])


# The agent's set-up, formerly its __init__ and load_context.
client = VectorSearchClient(disable_notice=True)
# A handle one of the client's methods returns: its methods call the service too.
index = client.get_index(endpoint_name="vs", index_name="main.docs.chunks")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
