# expect: functions S2A100 S2A111 S2A170 S2A171
import os
from databricks_langchain import ChatDatabricks
from openai import OpenAI
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

# Each of these is a synchronous client whose construction is left as it is (annotated, built in a try, chosen by
# a condition): its calls run in worker threads.
annotated: OpenAI = OpenAI()
try:
    FALLBACK = OpenAI()
except Exception:
    FALLBACK = None


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    texts = [(await in_worker_thread(c.chat.completions.create, model="databricks-gpt-5", messages=msgs)).choices[0].message.content
             for c in (annotated, FALLBACK, client, chosen)]
    a = (await in_worker_thread(annotated.chat.completions.create, model="databricks-gpt-5", messages=msgs)).choices[0].message.content
    b = (await in_worker_thread(FALLBACK.chat.completions.create, model="databricks-gpt-5", messages=msgs)).choices[0].message.content
    c = (await in_worker_thread(client.chat.completions.create, model="databricks-gpt-5", messages=msgs)).choices[0].message.content
    d = (await in_worker_thread(chosen.chat.completions.create, model="databricks-gpt-5", messages=msgs)).choices[0].message.content
    e = (await llm.ainvoke(msgs)).content
    return ResponsesAgentResponse(output=[create_text_output_item(text="|".join([a, b, c, d, e]) + str(len(texts)), id="t")])


# The agent's set-up, formerly its __init__ and load_context.
agent_client = None
agent_llm = None
client = agent_client or OpenAI()
chosen = OpenAI() if os.environ.get("USE_OPENAI", "1") == "1" else None
llm = agent_llm if agent_llm is not None else ChatDatabricks(endpoint="databricks-gpt-5")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
