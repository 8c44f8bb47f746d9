# expect: functions S2A100 S2A111 S2A170 S2A171
import requests
from databricks.sdk import WorkspaceClient
from databricks_langchain import ChatDatabricks
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from vendor_search import SearchClient, rerank
from agent_server.adapters import stream_events_from_response, in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def _weather(city: str) -> str:
    return requests.get(f"https://weather.example/{city}", timeout=10).text


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    question = request.input[-1].content
    hits = await in_worker_thread(rerank, await in_worker_thread(search.query, question))
    me = (await in_worker_thread(workspace.current_user.me)).user_name
    summary = await in_worker_thread(openai.chat.completions.create, model="databricks-gpt-5", messages=[{"role": "user", "content": question}])
    answer = await llm.ainvoke(f"{question} {hits} {await in_worker_thread(_weather, 'paris')} {me} {summary.choices[0].message.content}")
    return ResponsesAgentResponse(output=[create_text_output_item(text=answer.content, id="m")])


# The agent's set-up, formerly its __init__ and load_context.
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
search = SearchClient(index="docs")
workspace = WorkspaceClient()
openai = workspace.serving_endpoints.get_open_ai_client()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await predict(request)
    for event in stream_events_from_response(response):
        yield event
