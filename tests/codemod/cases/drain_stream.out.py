# expect: functions S2A100 S2A110
"""predict drains predict_stream: the most common shape."""
from mlflow.types.responses import create_text_delta, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    # keep only finished items
    outputs = [
        event.item
        for event in predict_stream(request)
        if event.type == "response.output_item.done"
    ]
    return ResponsesAgentResponse(output=outputs)


def predict_stream(request: ResponsesAgentRequest):
    text = request.input[-1].content
    yield ResponsesAgentStreamEvent(**create_text_delta(delta=text, item_id="m1"))
    yield ResponsesAgentStreamEvent(
        type="response.output_item.done",
        item=create_text_output_item(text=text, id="m1"),
    )


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
