# expect: functions S2A100 S2A110 S2A111 S2A172
"""predict runs the agent's own coroutine with asyncio.run, on a loop of its own in the request's thread. That coroutine
awaits another that calls time.sleep: awaited on the server's loop it would stall every request, so predict stays
synchronous and runs in a worker thread, as the original did."""
import asyncio
import time

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse
from openai import AsyncOpenAI, OpenAI

SYNC = OpenAI()


class OwnAsyncAgent(ResponsesAgent):
    async def _lookup(self, q):
        time.sleep(0.02)
        return q.upper()

    async def _answer(self, q):
        found = await self._lookup(q)
        client = AsyncOpenAI()
        r = await client.chat.completions.create(model="databricks-gpt-5", messages=[{"role": "user", "content": found}])
        return r.choices[0].message.content

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        text = asyncio.run(self._answer(request.input[-1].content))
        r = SYNC.chat.completions.create(model="databricks-gpt-5", messages=[{"role": "user", "content": text}])
        return ResponsesAgentResponse(output=[self.create_text_output_item(r.choices[0].message.content, "m1")])


mlflow.models.set_model(OwnAsyncAgent())
