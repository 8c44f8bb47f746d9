# expect: functions S2A100 S2A110 S2A111 S2A133 S2A172
"""An on-behalf-of-user agent that fans work out to threads of its own: each task builds the user's client there.
The thread pools become the scaffold's, whose tasks see the request's headers, where the user's token is."""
import mlflow
from concurrent.futures import ThreadPoolExecutor
from databricks.sdk import WorkspaceClient
from databricks_ai_bridge import ModelServingUserCredentials
from databricks_openai import DatabricksOpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


def ask(question: str) -> str:
    user_client = WorkspaceClient(credentials_strategy=ModelServingUserCredentials())
    name = user_client.current_user.me().user_name
    answer = DatabricksOpenAI(workspace_client=user_client).chat.completions.create(
        model="fake-llm", messages=[{"role": "user", "content": f"{name} asks {question}"}])
    return answer.choices[0].message.content


class FanOutAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        questions = [request.input[-1].content, "and once more"]
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(ask, questions))
        return ResponsesAgentResponse(output=[self.create_text_output_item(" | ".join(answers), "msg_1")])


mlflow.models.set_model(FanOutAgent())
