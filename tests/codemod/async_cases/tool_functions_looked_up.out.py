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


TOOL_FUNCS = {"lookup": lookup}


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    r = await client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
    result = await in_worker_thread(TOOL_FUNCS["lookup"], order_id="1")
    fn = TOOL_FUNCS.get("lookup")
    again = await in_worker_thread(fn, "2")
    return ResponsesAgentResponse(output=[create_text_output_item(text=r.choices[0].message.content + result + again, id="t")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
