# expect: adapter S2A101 S2A110 S2A132
"""The agent keeps one event loop and runs each request's coroutine on it; served with requests at once, a second
request would find the loop running. Reported (S2A132) on the kept class's method and on the module-level loop the
helper uses; what is bound to the loop decides the fix, so nothing is rewritten."""
import asyncio
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

LOOP = asyncio.new_event_loop()


async def fetch_answer(question: str) -> str:
    await asyncio.sleep(0)
    return question.upper()


def shout(question: str) -> str:
    return LOOP.run_until_complete(fetch_answer(question))


class LoopKeeper(ResponsesAgent):
    COUNT = 1  # a class attribute: the class is kept

    def __init__(self):
        self.loop = asyncio.new_event_loop()

    def predict(self, request):
        answer = self.loop.run_until_complete(fetch_answer(request.input[-1].content))
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=shout(answer), id="a")])


AGENT = LoopKeeper()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(AGENT.predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(AGENT.predict, request)
    for event in stream_events_from_response(response):
        yield event
