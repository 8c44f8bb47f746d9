"""An OpenAI Agents SDK agent that drives the SDK's coroutines itself, on the thread's event loop made nestable
with nest_asyncio, as public notebook-born agents do: asyncio.get_event_loop().run_until_complete(...) in predict,
and in predict_stream a nested coroutine that collects the streamed text."""

import asyncio
from uuid import uuid4

import mlflow
import nest_asyncio
from agents import Agent, OpenAIChatCompletionsModel, Runner, function_tool, set_tracing_disabled
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from openai import AsyncOpenAI

nest_asyncio.apply()
set_tracing_disabled(True)


@function_tool
def lookup_order(order_id: str) -> str:
    """Where an order is."""
    return f"order {order_id} shipped"


class LoopOrderAgent(ResponsesAgent):
    def __init__(self):
        model = OpenAIChatCompletionsModel(model="fake-llm", openai_client=AsyncOpenAI())
        self.agent = Agent(name="orders", instructions="Find orders.", tools=[lookup_order], model=model)

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        messages = [{"role": m.role, "content": m.content} for m in request.input]
        result = asyncio.get_event_loop().run_until_complete(Runner.run(self.agent, messages))
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=result.final_output, id="msg-1")])

    def predict_stream(self, request: ResponsesAgentRequest):
        messages = [{"role": m.role, "content": m.content} for m in request.input]

        async def collect():
            run = Runner.run_streamed(self.agent, messages)
            deltas = []
            async for event in run.stream_events():
                if event.type == "raw_response_event" and getattr(event.data, "type", "") == "response.output_text.delta":
                    deltas.append(event.data.delta)
            return deltas

        loop = asyncio.get_event_loop()
        item_id = str(uuid4())
        deltas = loop.run_until_complete(collect())
        for delta in deltas:
            yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=delta, item_id=item_id))
        yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                        item=self.create_text_output_item(text="".join(deltas), id=item_id))


mlflow.models.set_model(LoopOrderAgent())
