# expect: functions S2A100 S2A110 S2A111 S2A130
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


class Outbox:
    def add(self, item):  # a store's write, as a vector store's or memory service's client has
        return item


def _remember(text):
    history.append(text)
    seen[text] = len(history)
    settings["counts"][text] = settings["counts"].get(text, 0) + 1
    greeted.add(text)
    outbox.add(text)  # not a set the agent built: its add writes elsewhere


def predict(request):
    text = request.input[-1].content
    _remember(text)
    # Reading shared objects is not a change: count(), get() and items() leave them as they are.
    known = history.count(text) > 0 and text in [k for k, _ in seen.items()]
    del seen[text]
    return ResponsesAgentResponse(output=[create_text_output_item(text=f"{text} {known}", id="m")])


# The agent's set-up, formerly its __init__ and load_context.
history = []
seen = {}
greeted = set()
outbox = Outbox()
settings = {"counts": {}}
history.append("ready")  # building the object in __init__ is not a per-request change


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
