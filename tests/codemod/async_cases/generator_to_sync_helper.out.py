# expect: functions S2A100 S2A170 S2A173
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, output_to_responses_items_stream, ResponsesAgentResponse, to_chat_completions_input
from agent_server.adapters import iterate_sync_consumer
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


async def predict(request):
    outputs = [e.item async for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=outputs)


async def predict_stream(request):
    messages = to_chat_completions_input([i.model_dump() for i in request.input])
    try:
        stream = await client.chat.completions.create(model="databricks-gpt-5", messages=messages, stream=True)
        # MLflow's helper turns chat-completion chunks into Responses events; it iterates synchronously.
        async for item in iterate_sync_consumer(output_to_responses_items_stream, (chunk.to_dict() async for chunk in stream)):
            yield item
    except Exception as exc:  # the agent hides errors in its answer, so only comparing answers shows them
        for item in output_to_responses_items_stream(
            [{"id": "e", "object": "chat.completion.chunk", "model": "m", "created": 0,
              "choices": [{"index": 0, "delta": {"role": "assistant", "content": f"Error: {exc}"}}]}]
        ):
            yield item


# The agent's set-up, formerly its __init__ and load_context.
client = AsyncOpenAI(http_client=async_http_client())


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
