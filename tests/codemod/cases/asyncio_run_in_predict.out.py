# expect: functions S2A100 S2A110 S2A111
import asyncio
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


async def fetch_answer(question: str) -> str:
    await asyncio.sleep(0)
    return question.upper()


def predict(request):
    # A sync model serving agent driving async code: fine in a worker thread, which has no running loop.
    answer = asyncio.run(fetch_answer(request.input[-1].content))
    return ResponsesAgentResponse(output=[create_text_output_item(text=answer, id="a")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
