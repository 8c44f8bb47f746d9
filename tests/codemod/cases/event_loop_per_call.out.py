# expect: functions S2A100 S2A110 S2A111
# behaviour: not compared (the original asks the main thread for its event loop, which an earlier asyncio.run() in this test process unset; tests/test_adapters.py runs such code in worker threads)
"""Don't report: each call fetches its thread's loop (every worker thread has its own), or makes one, or runs the
coroutine once at import."""
import asyncio
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

loop = asyncio.new_event_loop()


async def fetch_answer(question: str) -> str:
    await asyncio.sleep(0)
    return question.upper()


GREETING = loop.run_until_complete(fetch_answer("hello"))


def predict(request):
    answer = asyncio.get_event_loop().run_until_complete(fetch_answer(request.input[-1].content))
    loop = asyncio.new_event_loop()
    again = loop.run_until_complete(fetch_answer(answer))
    loop.close()
    return ResponsesAgentResponse(output=[create_text_output_item(text=GREETING + again, id="a")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
