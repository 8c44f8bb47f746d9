# expect: functions S2A100 S2A110 S2A111
import asyncio

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


async def fetch_answer(question: str) -> str:
    await asyncio.sleep(0)
    return question.upper()


class AsyncInside(ResponsesAgent):
    def predict(self, request):
        # A sync model serving agent driving async code: fine in a worker thread, which has no running loop.
        answer = asyncio.run(fetch_answer(request.input[-1].content))
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=answer, id="a")])


AGENT = AsyncInside()
mlflow.models.set_model(AGENT)
