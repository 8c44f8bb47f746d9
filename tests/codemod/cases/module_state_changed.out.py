# expect: functions S2A100 S2A110 S2A111 S2A130
import functools
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

HISTORY = {}
CALLS = 0
DEFAULTS = {"greeting": "hello"}
BUILT = []
THREADS = set()


def remember(thread, text):
    HISTORY.setdefault(thread, []).append(text)
    THREADS.add(thread)


def load(part):
    BUILT.append(part)  # called by set-up only: runs once, before any request


@functools.cache
def prefix():
    BUILT.append("prefix")  # a cached property runs once: lazy set-up, not per-request state
    return DEFAULTS["greeting"]


def predict(request):
    global CALLS
    CALLS += 1
    thread = (request.custom_inputs or {}).get("thread_id", "none")
    remember(thread, request.input[-1].content)
    DEFAULTS = {"greeting": "hi"}  # a local of the same name: the module's dict is untouched
    DEFAULTS["greeting"] = "hey"
    seen = set()
    seen.add(thread)  # a set of its own
    text = f"{prefix()} {DEFAULTS['greeting']}: {HISTORY[thread][-1]}"
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="m")])


# The agent's set-up, formerly its __init__ and load_context.
load("agent")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
