# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import json
import time
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from agent_server.http_clients import async_http_client
from openai import AsyncOpenAI
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

client = AsyncOpenAI(http_client=async_http_client())


def lookup(order_id: str) -> str:
    time.sleep(0.01)  # stands for a blocking call (requests, a warehouse query)
    return json.dumps({"order_id": order_id, "status": "shipped"})


def run_tool(tool, **arguments):
    # `tool` is handed in: whatever it does, it runs where run_tool runs.
    return tool(**arguments)


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    r = await client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
    results = []
    for name, fn in tools.items():  # the classic dispatch over the tool table
        if name == "lookup":
            results.append(await in_worker_thread(fn, "1"))
    results += [await in_worker_thread(tool, "2") for tool in tools.values()]
    results.append(await in_worker_thread(run_tool, lookup, order_id="3"))
    return ResponsesAgentResponse(output=[create_text_output_item(text=r.choices[0].message.content + "".join(results), id="t")])


# The agent's set-up, formerly its __init__ and load_context.
tools = {"lookup": lookup}


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
