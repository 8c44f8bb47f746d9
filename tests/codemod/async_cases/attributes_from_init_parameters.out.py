# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import os
import sqlite3
import tempfile
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

DB = os.path.join(tempfile.mkdtemp(), "turns.db")


class Services:
    """Set from its parameters: what `db` holds is what the construction below passes (sqlite3.connect), so its
    calls run in a worker thread; `label` is a string (its default), called directly."""

    def __init__(self, db, label="turn"):
        self.db = db
        self.label = label


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    r = await client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
    text = r.choices[0].message.content
    await in_worker_thread(services.db.execute, "INSERT INTO turns VALUES (?)", (text,))
    await in_worker_thread(services.db.commit)
    return ResponsesAgentResponse(output=[create_text_output_item(f"{services.label.upper()}: {text}", "m1")])


# The agent's set-up, formerly its __init__ and load_context.
client = AsyncOpenAI(http_client=async_http_client())
services = Services(db=sqlite3.connect(DB, check_same_thread=False))
services.db.execute("CREATE TABLE IF NOT EXISTS turns (text TEXT)")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
