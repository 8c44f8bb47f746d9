# expect: functions S2A100 S2A110 S2A111 S2A133 S2A172
"""The documented on-behalf-of-user shape: the user's client built in predict and handed to the model client. The model
client, built per request too, stays synchronous, in a worker thread, where the request's headers are still visible."""
import mlflow
from databricks.sdk import WorkspaceClient
from databricks.sdk.credentials_provider import ModelServingUserCredentials
from databricks_openai import DatabricksOpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class OboAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        user_client = WorkspaceClient(credentials_strategy=ModelServingUserCredentials())
        client = DatabricksOpenAI(workspace_client=user_client)
        response = client.responses.create(model="databricks-gpt-5", input=[i.model_dump() for i in request.input])
        return ResponsesAgentResponse(output=[item.model_dump() for item in response.output])


mlflow.models.set_model(OboAgent())
