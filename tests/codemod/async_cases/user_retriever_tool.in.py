# expect: functions S2A100 S2A110 S2A111 S2A133 S2A172
"""The documented on-behalf-of-user retriever: databricks-langchain's vector search tool handed the user's workspace
client, built per request. The tool reads the client's config to give its vector search client the user's token."""
import mlflow
from databricks.sdk import WorkspaceClient
from databricks_ai_bridge import ModelServingUserCredentials
from databricks_langchain import VectorSearchRetrieverTool
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class UserRetrieverAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        retriever = VectorSearchRetrieverTool(
            index_name="main.docs.index", num_results=1,
            workspace_client=WorkspaceClient(credentials_strategy=ModelServingUserCredentials()),
        )
        docs = retriever.invoke(request.input[-1].content)
        return ResponsesAgentResponse(output=[self.create_text_output_item(f"may read: {docs}", "msg_1")])


mlflow.models.set_model(UserRetrieverAgent())
