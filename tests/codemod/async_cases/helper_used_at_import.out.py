# expect: functions S2A100 S2A110 S2A111 S2A172
from openai import OpenAI
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

client = OpenAI()


def _ask(text):
    response = client.chat.completions.create(model="databricks-gpt-5", messages=[{"role": "user", "content": text}])
    return response.choices[0].message.content


# Set-up at import calls the same helper the agent uses per request: it has to stay synchronous.
GREETING = _ask("say hello")


def predict(request):
    return ResponsesAgentResponse(output=[create_text_output_item(text=GREETING + _ask("again"), id="g")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
