# expect: functions S2A100 S2A111 S2A170
import asyncio
import time

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


async def lookup(question: str) -> str:
    await asyncio.sleep(0)
    return question.upper()


class PoliteAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        time.sleep(0.01)  # rate limit
        loop = asyncio.new_event_loop()
        answer = loop.run_until_complete(lookup(request.input[-1].content))
        again = asyncio.run(lookup(answer))
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=again, id="m")])


mlflow.models.set_model(PoliteAgent())
