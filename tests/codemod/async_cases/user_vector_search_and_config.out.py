# expect: functions S2A100 S2A110 S2A111 S2A133 S2A172
"""The other documented on-behalf-of-user shapes: the vector search client's user credential strategy, and the SDK's
Config with the user's credentials for a call the SDK has no method for. Both act with the user's token on the app;
the vector search client has no async form the codemod knows, so predict stays synchronous, in a worker thread."""
import requests
from databricks.ai_search.client import VectorSearchClient
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from openai import OpenAI
from agent_server.utils import get_user_vector_search_credentials, get_user_workspace_client
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    question = request.input[-1].content
    index = VectorSearchClient(
        **get_user_vector_search_credentials(), disable_notice=True
    ).get_index(endpoint_name="docs-endpoint", index_name="main.docs.index")
    hits = index.similarity_search(query_text=question, columns=["text"], num_results=1)
    config = get_user_workspace_client().config
    me = requests.get(f"{config.host}/api/2.0/preview/scim/v2/Me", headers=config.authenticate(), timeout=30)
    context = f"{me.json()['userName']} may read: {[row[0] for row in hits['result']['data_array']]}"
    answer = llm.chat.completions.create(
        model="fake-llm", messages=[{"role": "system", "content": context}, {"role": "user", "content": question}]
    )
    return ResponsesAgentResponse(output=[create_text_output_item(answer.choices[0].message.content, "msg_1")])


# The agent's set-up, formerly its __init__ and load_context.
llm = OpenAI()


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
