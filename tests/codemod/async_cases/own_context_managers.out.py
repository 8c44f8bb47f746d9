# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import time
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


class Timer:
    """Its __enter__/__exit__ only read the clock: entered on the event loop as it is."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self.start
        return False


class Connection:
    """Its __enter__ and __exit__ block (open and close a connection): a function that enters one stays
    synchronous and runs in a worker thread."""

    def __enter__(self):
        time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        time.sleep(0.01)
        return False

    def fetch(self, query):
        return f"[rows for {query}]"


def _rows(query):
    with Connection() as conn:
        return conn.fetch(query)


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    with Timer() as timer:
        rows = await in_worker_thread(_rows, msgs[-1]["content"])
        r = await client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
    text = f"{r.choices[0].message.content} {rows} {timer.elapsed >= 0}"
    return ResponsesAgentResponse(output=[create_text_output_item(text, "m1")])


# The agent's set-up, formerly its __init__ and load_context.
client = AsyncOpenAI(http_client=async_http_client())


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
