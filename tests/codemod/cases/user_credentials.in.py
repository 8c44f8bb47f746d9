# expect: functions S2A100 S2A110 S2A111 S2A130 S2A133
# behaviour: not compared (needs a workspace; async_cases/user_client_per_request.in.py runs the same rewrite against the fake model)
"""On-behalf-of-user clients: built per request, they now act with the user's token Databricks Apps forwards.
The ones not rewritten are marked."""
import functools

import mlflow
from databricks import sql
from databricks.sdk import WorkspaceClient
from databricks.sdk.core import Config
from databricks.vector_search.client import VectorSearchClient
from databricks.vector_search.utils import CredentialStrategy
from databricks_ai_bridge import ModelServingUserCredentials
from databricks_langchain import VectorSearchRetrieverTool
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


@functools.lru_cache(maxsize=1)
def cached_index():
    # Not rewritten: cached, the client would serve later requests with the first user's token.
    return VectorSearchClient(credential_strategy=CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS).get_index(
        endpoint_name="vs", index_name="main.docs.index")


def user_retriever():
    return VectorSearchRetrieverTool(
        index_name="main.docs.index",
        workspace_client=WorkspaceClient(credentials_strategy=ModelServingUserCredentials()),
    )


class OboAgent(ResponsesAgent):
    def __init__(self):
        # Not rewritten: built once, at load, when there is no request (Model Serving refuses it too).
        self.load_client = WorkspaceClient(credentials_strategy=ModelServingUserCredentials())

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        user_client = WorkspaceClient(credentials_strategy=ModelServingUserCredentials())
        me = user_client.current_user.me().user_name
        # Not rewritten: the strategy is built apart from the call.
        strategy = ModelServingUserCredentials()
        kept = WorkspaceClient(credentials_strategy=strategy)
        # Not rewritten: the helper takes no host.
        elsewhere = WorkspaceClient(host="https://other.cloud.databricks.com",
                                    credentials_strategy=ModelServingUserCredentials())
        docs = user_retriever().invoke(request.input[-1].content)
        index = VectorSearchClient(
            credential_strategy=CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS,  # the user's
            disable_notice=True,
        ).get_index(endpoint_name="vs", index_name="main.docs.index")
        # Not rewritten: a client given a workspace already; the user's would clash with it.
        other = VectorSearchClient(workspace_url="https://other.cloud.databricks.com",
                                   credential_strategy=CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS)
        # Not rewritten: kept on the agent for the next request.
        self.index = VectorSearchClient(credential_strategy=CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS)
        config = Config(credentials_strategy=ModelServingUserCredentials())
        with sql.connect(server_hostname=config.host, http_path="/sql/1.0/warehouses/abc",
                         credentials_provider=lambda: config.authenticate) as connection:
            rows = connection.cursor().execute("SELECT 1").fetchall()
        text = f"{me} {kept} {elsewhere} {docs} {index} {other} {rows} {cached_index()}"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="msg_1")])


mlflow.models.set_model(OboAgent())
