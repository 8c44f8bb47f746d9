# expect: functions S2A100 S2A170
"""predict_stream drives an async generator one step at a time on an event loop of its own. Sync mode keeps the
pump (each step is run by the loop, which the self-check accepts); async mode awaits each step instead."""
import asyncio

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from openai import AsyncOpenAI


class PumpAgent(ResponsesAgent):
    async def _agen(self, msgs):
        client = AsyncOpenAI()
        stream = await client.chat.completions.create(model="databricks-gpt-5", messages=msgs, stream=True)
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        items = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=items)

    def predict_stream(self, request):
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        loop = asyncio.new_event_loop()
        agen = self._agen(msgs)
        parts = []
        try:
            while True:
                try:
                    d = loop.run_until_complete(agen.__anext__())
                except StopAsyncIteration:
                    break
                parts.append(d)
                yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=d, item_id="m1"))
        finally:
            loop.close()
        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=self.create_text_output_item("".join(parts), "m1"))


mlflow.models.set_model(PumpAgent())
