# expect: functions S2A100 S2A110 S2A111 S2A172
"""The agent's own @contextmanager generators entered with `with`: a `with` runs the generator's code on entering
and leaving, so one that may block (waits for a pooled connection, opens a database) keeps the function that
enters it synchronous, in a worker thread, as the agent ran under Model Serving. Calling the generator in a worker
thread would not help: the blocking code runs later, in `__enter__`, on the event loop."""
import sqlite3
import time
from contextlib import contextmanager
from databricks_langchain import ChatDatabricks
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


@contextmanager
def get_connection():
    time.sleep(0.01)  # a pool's wait for a free connection
    conn = sqlite3.connect(db_path)
    try:
        yield conn
    finally:
        conn.close()


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    with get_connection() as conn:
        prefix = conn.execute("select 'db'").fetchone()[0]
    answer = llm.invoke([{"role": "user", "content": request.input[-1].content}])
    return ResponsesAgentResponse(output=[create_text_output_item(text=f"{prefix}: {answer.content}", id="m")])


# The agent's set-up, formerly its __init__ and load_context.
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
db_path = ":memory:"


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
