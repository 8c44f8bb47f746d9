# expect: functions S2A100 S2A170
"""The Lakebase templates' shape: the work is an async generator method, and predict_stream pumps it one step at a
time through `agen.__aiter__()` on the thread's event loop. Sync mode keeps the pump; async mode awaits each step."""
import asyncio
from typing import AsyncGenerator, Generator

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from openai import AsyncOpenAI


class PumpedAgent(ResponsesAgent):
    def __init__(self):
        self.model = "databricks-gpt-5"

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)

    async def _predict_stream_async(self, request: ResponsesAgentRequest) -> AsyncGenerator[ResponsesAgentStreamEvent, None]:
        client = AsyncOpenAI()
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        stream = await client.chat.completions.create(model=self.model, messages=msgs, stream=True)
        parts = []
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
                yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=parts[-1], item_id="m1"))
        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=self.create_text_output_item("".join(parts), "m1"))

    def predict_stream(self, request: ResponsesAgentRequest) -> Generator[ResponsesAgentStreamEvent, None, None]:
        agen = self._predict_stream_async(request)
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
        ait = agen.__aiter__()
        while True:
            try:
                item = loop.run_until_complete(ait.__anext__())
            except StopAsyncIteration:
                break
            else:
                yield item


mlflow.models.set_model(PumpedAgent())
