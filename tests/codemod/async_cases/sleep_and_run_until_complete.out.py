# expect: functions S2A100 S2A111 S2A170
import asyncio
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


async def lookup(question: str) -> str:
    await asyncio.sleep(0)
    return question.upper()


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    await asyncio.sleep(0.01)  # rate limit
    answer = await lookup(request.input[-1].content)
    again = await lookup(answer)
    return ResponsesAgentResponse(output=[create_text_output_item(text=again, id="m")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
