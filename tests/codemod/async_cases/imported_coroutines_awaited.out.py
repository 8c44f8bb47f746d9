# expect: functions S2A100 S2A110 S2A111 S2A172
"""The agent's own coroutine awaits coroutine functions imported from the agent's package (not blocking calls: they
only make coroutines) and calls one imported function the table does not know, which may block. asyncio.run stays
in a synchronous predict (in a worker thread); in sync mode the functions strategy passes the self-check (the
coroutine was the author's, not one the migration wrote)."""
import asyncio
import os
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse

from support_agent.gateway import open_gateway, run_question
from support_agent.settings import load_settings
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


async def _answer(question: str):
    settings = load_settings(os.getenv("SUPPORT_PROFILE"))
    gateway = await open_gateway(settings)
    return await run_question(gateway, question)


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    result = asyncio.run(_answer(request.input[-1].content))
    return ResponsesAgentResponse(output=[create_text_output_item(str(result["answer"]), "m1")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
