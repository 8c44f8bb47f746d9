# expect: functions S2A100 S2A111 S2A170
from agents import Agent, Runner
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

assistant = Agent(name="assistant", instructions="Answer briefly.")


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    result = await Runner.run(assistant, [i.model_dump() for i in request.input])
    return ResponsesAgentResponse(output=[create_text_output_item(text=result.final_output, id="m")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
