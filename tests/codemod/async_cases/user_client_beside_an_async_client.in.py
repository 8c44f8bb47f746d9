# expect: functions S2A100 S2A111 S2A133 S2A170 S2A171 S2A173
"""A user client built per request beside a model client built once: the model call is awaited, while building the user's
client (which asks the workspace for its host metadata) and calling it run in worker threads, where the request's
headers are still visible."""
import mlflow
from databricks.sdk import WorkspaceClient
from databricks_ai_bridge import ModelServingUserCredentials
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

client = OpenAI()


class OboAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        user = WorkspaceClient(credentials_strategy=ModelServingUserCredentials())
        name = user.current_user.me().user_name
        response = client.responses.create(model="databricks-gpt-5", input=[i.model_dump() for i in request.input])
        out = [item.model_dump() for item in response.output]
        return ResponsesAgentResponse(output=out, custom_outputs={"user": name})


mlflow.models.set_model(OboAgent())
