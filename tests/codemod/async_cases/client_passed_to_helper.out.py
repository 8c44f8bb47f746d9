# expect: functions S2A100 S2A111 S2A170 S2A171
from databricks_langchain import ChatDatabricks
from openai import OpenAI
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
import asyncio
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

llm = ChatDatabricks(endpoint="databricks-gpt-5")


def ask(client, messages):
    # `client` is a parameter: its type cannot be read here, but predict hands it the synchronous OpenAI client,
    # so ask runs in a worker thread.
    return client.chat.completions.create(model="databricks-gpt-5", messages=messages).choices[0].message.content


def streamed_text(model, messages):
    # Likewise a chat model handed in: its stream() does I/O as it is iterated.
    return "".join(chunk.content for chunk in model.stream(messages))


def shout(text):
    return text.upper()  # handed plain data: stays a plain call


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    await asyncio.sleep(0.01)
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    text = f"{await in_worker_thread(ask, agent_client, msgs)} | {shout(await in_worker_thread(streamed_text, llm, msgs))}"
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="a")])


# The agent's set-up, formerly its __init__ and load_context.
agent_client = OpenAI()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
