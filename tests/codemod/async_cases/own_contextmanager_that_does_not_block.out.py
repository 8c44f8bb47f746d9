# expect: functions S2A100 S2A111 S2A130 S2A170
"""An own @contextmanager that only reads the clock stays on the event loop: the function that enters it
converts. (Conservative: a call the table cannot tell from a plain computation, such as a list's append, counts
as one that may block.)"""
import time
from contextlib import contextmanager
from databricks_langchain import ChatDatabricks
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
TIMINGS = {}


@contextmanager
def timed(label):
    start = time.perf_counter()
    yield label
    TIMINGS[label] = time.perf_counter() - start


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    with timed("ask") as label:
        answer = await llm.ainvoke([{"role": "user", "content": request.input[-1].content}])
    return ResponsesAgentResponse(output=[create_text_output_item(text=f"{label}: {answer.content}", id="m")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
