# expect: functions S2A100 S2A110 S2A111 S2A130 S2A133
# behaviour: not compared (needs a workspace; async_cases/user_client_per_request.in.py runs the same rewrite against the fake model)
"""On-behalf-of-user clients: built per request, they now act with the user's token Databricks Apps forwards.
The ones not rewritten are marked."""
import functools
from databricks import sql
from databricks.sdk import WorkspaceClient
from databricks.vector_search.client import VectorSearchClient
from databricks.vector_search.utils import CredentialStrategy
from databricks_ai_bridge import ModelServingUserCredentials
from databricks_langchain import VectorSearchRetrieverTool
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.utils import get_user_vector_search_credentials, get_user_workspace_client
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


@functools.lru_cache(maxsize=1)
def cached_index():
    # Not rewritten: cached, the client would serve later requests with the first user's token.
    return VectorSearchClient(credential_strategy=CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS).get_index(
        endpoint_name="vs", index_name="main.docs.index")


def user_retriever():
    return VectorSearchRetrieverTool(
        index_name="main.docs.index",
        workspace_client=get_user_workspace_client(),
    )


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    global agent_index
    user_client = get_user_workspace_client()
    me = user_client.current_user.me().user_name
    # Not rewritten: the strategy is built apart from the call.
    strategy = ModelServingUserCredentials()
    kept = WorkspaceClient(credentials_strategy=strategy)
    # Not rewritten: the helper takes no host.
    elsewhere = WorkspaceClient(host="https://other.cloud.databricks.com",
                                credentials_strategy=ModelServingUserCredentials())
    docs = user_retriever().invoke(request.input[-1].content)
    index = VectorSearchClient(
        **get_user_vector_search_credentials(),  # the user's
        disable_notice=True,
    ).get_index(endpoint_name="vs", index_name="main.docs.index")
    # Not rewritten: a client given a workspace already; the user's would clash with it.
    other = VectorSearchClient(workspace_url="https://other.cloud.databricks.com",
                               credential_strategy=CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS)
    # Not rewritten: kept on the agent for the next request.
    agent_index = VectorSearchClient(credential_strategy=CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS)
    config = get_user_workspace_client().config
    with sql.connect(server_hostname=config.host, http_path="/sql/1.0/warehouses/abc",
                     credentials_provider=lambda: config.authenticate) as connection:
        rows = connection.cursor().execute("SELECT 1").fetchall()
    text = f"{me} {kept} {elsewhere} {docs} {index} {other} {rows} {cached_index()}"
    return ResponsesAgentResponse(output=[create_text_output_item(text=text, id="msg_1")])


# The agent's set-up, formerly its __init__ and load_context.
# Not rewritten: built once, at load, when there is no request (Model Serving refuses it too).
load_client = WorkspaceClient(credentials_strategy=ModelServingUserCredentials())


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
