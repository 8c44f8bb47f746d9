# expect: functions S2A100 S2A110 S2A111
# behaviour: not compared (ResponsesAgent makes predict abstract: the original cannot be instantiated)
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, create_text_delta, create_text_output_item, ResponsesAgentStreamEvent
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread, response_from_stream_events
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict_stream(request):
    for i in range(3):
        yield ResponsesAgentStreamEvent(**create_text_delta(delta=str(i), item_id="s"))
    yield ResponsesAgentStreamEvent(
        type="response.output_item.done", item=create_text_output_item(text="012", id="s")
    )


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(lambda: response_from_stream_events(predict_stream(request)))


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
