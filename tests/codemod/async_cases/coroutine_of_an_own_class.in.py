# expect: functions S2A100 S2A111 S2A170
import asyncio
import mlflow
from openai import AsyncOpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class Runner:
    """Already async: its run() makes a coroutine, which predict hands to asyncio.run (a method named run on a
    value of unknown type is no LangChain tool here: nothing to run in a worker thread)."""

    def __init__(self):
        self.client = AsyncOpenAI()

    async def run(self, msgs):
        r = await self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
        return r.choices[0].message.content


class Coroutines(ResponsesAgent):
    def __init__(self):
        self.runner = Runner()

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        text = asyncio.run(self.runner.run(msgs))
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="t")])


AGENT = Coroutines()
mlflow.models.set_model(AGENT)
