# expect: functions S2A100 S2A110 S2A111 S2A130
from collections import defaultdict
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

SESSIONS = defaultdict(list)  # conversations by thread, as a per-process memory keeps them
CONFIG = {"llm": {}}


def remember(thread, text):
    SESSIONS[thread].append(text)
    history = SESSIONS[thread]
    history.append(text)
    snapshot = SESSIONS[thread][:]  # a copy: changing it changes nothing shared
    snapshot.append(text)
    settings = CONFIG.get("llm")
    settings["last"] = text
    scratch = []  # the function's own
    scratch.append(text)
    return history[-1]


def predict(request):
    thread = (request.custom_inputs or {}).get("thread_id", "none")
    text = request.input[-1].content
    mine = turns[thread]
    mine.append(text)
    copy = list(turns[thread])  # a copy too
    copy.append(text)
    count = remember(thread, text)
    return ResponsesAgentResponse(output=[create_text_output_item(text=f"{text} {count} {mine[-1]}", id="m")])


# The agent's set-up, formerly its __init__ and load_context.
turns = defaultdict(list)


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
