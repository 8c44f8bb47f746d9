# expect: functions S2A100 S2A110 S2A111
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_function_call_item, create_function_call_output_item, create_reasoning_item, create_text_output_item, to_chat_completions_input, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict(request):
    messages = to_chat_completions_input([i.model_dump() for i in request.input])
    items = [
        create_reasoning_item(id="r", reasoning_text="thinking"),
        create_function_call_item(id="f", call_id="c", name="lookup", arguments="{}"),
        create_function_call_output_item(call_id="c", output="found"),
        create_text_output_item(text=str(len(messages)), id="t"),
    ]
    return ResponsesAgentResponse(output=items)


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
