# expect: functions S2A100 S2A110 S2A111
# behaviour: not compared (needs files, services or packages the tests do not have)
import json

import mlflow
from databricks.sdk import WorkspaceClient
from mlflow.types.responses import ResponsesAgentRequest, create_text_output_item, to_chat_completions_input, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

mlflow.openai.autolog()


def call_llm(messages):
    return client.chat.completions.create(model=llm_endpoint, messages=messages, tools=tools)


def predict(request):
    messages = to_chat_completions_input([i.model_dump() for i in request.input])
    response = call_llm(messages)
    text = response.choices[0].message.content or json.dumps([])
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="o")])


# The agent's set-up, formerly its __init__ and load_context.
llm_endpoint = "databricks-claude-sonnet-4-5"
tools = []
workspace_client = WorkspaceClient()
client = workspace_client.serving_endpoints.get_open_ai_client()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
