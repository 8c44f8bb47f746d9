# expect: functions S2A100 S2A111 S2A170
from openai import AsyncOpenAI
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


class Runner:
    """Already async: its run() makes a coroutine, which predict hands to asyncio.run (a method named run on a
    value of unknown type is no LangChain tool here: nothing to run in a worker thread)."""

    def __init__(self):
        self.client = AsyncOpenAI()

    async def run(self, msgs):
        r = await self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
        return r.choices[0].message.content


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    msgs = [{"role": m.role, "content": m.content} for m in request.input]
    text = await runner.run(msgs)
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="t")])


# The agent's set-up, formerly its __init__ and load_context.
runner = Runner()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
