# expect: functions S2A100 S2A111 S2A170 S2A171
import time
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from neo4j import GraphDatabase
from vendor_warehouse import connect
import asyncio
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

driver = GraphDatabase.driver("neo4j://graph:7687", auth=("neo4j", "secret"))


# Each helper would become async for its sleep, but uses what a blocking call returned on the event loop:
# a session entered with `with`, a result iterated (fetched page by page), a cursor's methods. They stay
# synchronous and run in worker threads as a whole.
def _facts(q: str) -> list:
    time.sleep(0.01)
    with driver.session() as session:
        return [r["n"] for r in session.run("MATCH (n) WHERE n.name = $q RETURN n", q=q)]


def _rows(user: str) -> list:
    time.sleep(0.01)
    rows = warehouse.query("select text from history where user_id = ?", user)
    return [row[0] for row in rows]


def _latest(user: str) -> str:
    time.sleep(0.01)
    cursor = warehouse.cursor()
    cursor.execute("select max(ts) from history where user_id = ?", user)
    return cursor.fetchone()[0]


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    await asyncio.sleep(0.01)  # still async: its own calls all have an async form or run in worker threads
    q = request.input[-1].content
    text = f"{await in_worker_thread(_facts, q)} {await in_worker_thread(_rows, 'me')} {await in_worker_thread(_latest, 'me')}"
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="m")])


# The agent's set-up, formerly its __init__ and load_context.
warehouse = connect("warehouse://analytics")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
