# expect: functions S2A100 S2A170 S2A173
"""MLflow's documented chat-completions shape: a generator method yields the model's chunks as dicts, and
predict_stream hands the generator to MLflow's synchronous output_to_responses_items_stream. Async mode makes the
generator an async generator and runs the helper in a worker thread that pulls each chunk from the event loop
(iterate_sync_consumer), as it does for a generator expression."""
from typing import Any, cast
from mlflow.types.responses import (ResponsesAgentStreamEvent, ResponsesAgentRequest, ResponsesAgentResponse, output_to_responses_items_stream,
                                    to_chat_completions_input)
from agent_server.adapters import iterate_sync_consumer
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

SYSTEM_PROMPT = "Answer questions about prices."


def price_of(item: str) -> str:
    return f"{item}: $15.99"


async def call_llm(messages):
    extra = [{"role": "system", "content": f"Tool results: {price_of('tea')}"}]
    async for chunk in await client.chat.completions.create(model=model, messages=cast(Any, [*messages, *extra]),
                                                     stream=True):
        yield chunk.to_dict()


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    outputs = [e.item async for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)


async def predict_stream(request: ResponsesAgentRequest):
    messages = to_chat_completions_input([{"role": "system", "content": SYSTEM_PROMPT}]
                                         + [i.model_dump() for i in request.input])
    async for item in iterate_sync_consumer(output_to_responses_items_stream, call_llm(messages)):
        yield item


# The agent's set-up, formerly its __init__ and load_context.
model = "databricks-gpt-5"
client = AsyncOpenAI(http_client=async_http_client())


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
