# expect: functions S2A100 S2A111 S2A170 S2A171
from databricks_langchain import ChatDatabricks
from openai import OpenAI
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

client = OpenAI()
MODELS = [m.id for m in client.models.list()]  # the sync client is used at import, so it stays synchronous
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    draft = await in_worker_thread(client.chat.completions.create, model=MODELS[0], messages=[{"role": "user", "content": request.input[-1].content}])
    final = await llm.ainvoke(draft.choices[0].message.content)
    return ResponsesAgentResponse(output=[create_text_output_item(text=final.content, id="m")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
