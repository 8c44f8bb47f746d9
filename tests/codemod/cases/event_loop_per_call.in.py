# expect: functions S2A100 S2A110 S2A111
# behaviour: not compared (the original asks the main thread for its event loop, which an earlier asyncio.run() in this test process unset; tests/test_adapters.py runs such code in worker threads)
"""Don't report: each call fetches its thread's loop (every worker thread has its own), or makes one, or runs the
coroutine once at import."""
import asyncio

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

loop = asyncio.new_event_loop()


async def fetch_answer(question: str) -> str:
    await asyncio.sleep(0)
    return question.upper()


GREETING = loop.run_until_complete(fetch_answer("hello"))


class PerCall(ResponsesAgent):
    def predict(self, request):
        answer = asyncio.get_event_loop().run_until_complete(fetch_answer(request.input[-1].content))
        loop = asyncio.new_event_loop()
        again = loop.run_until_complete(fetch_answer(answer))
        loop.close()
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=GREETING + again, id="a")])


AGENT = PerCall()
mlflow.models.set_model(AGENT)
