# expect: functions S2A100 S2A111 S2A170 S2A171
import threading
from databricks_langchain import ChatDatabricks
from openai import OpenAI
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

LOCK = threading.Lock()
client = OpenAI()
llm = ChatDatabricks(endpoint="databricks-gpt-5")


def ask_one_at_a_time(msgs):
    # Held across the call: async, the next request would wait for the lock on the event loop's own thread while
    # the holder waits for the loop. Stays synchronous, in a worker thread.
    with LOCK:
        return client.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    with lock:  # nothing awaited inside: predict converts
        count = len(msgs)
    first = await in_worker_thread(ask_one_at_a_time, msgs)
    second = (await llm.ainvoke(msgs)).content
    return ResponsesAgentResponse(output=[create_text_output_item(text=f"{count}:{first}|{second}", id="t")])


# The agent's set-up, formerly its __init__ and load_context.
lock = threading.Lock()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
