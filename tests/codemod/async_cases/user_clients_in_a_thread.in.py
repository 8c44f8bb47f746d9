# expect: functions S2A100 S2A110 S2A111 S2A133 S2A172
"""An on-behalf-of-user agent that starts a thread of its own per question: each builds the user's client there.
The threads become the scaffold's ContextThread, whose target sees the request's headers, where the user's token is."""
import threading

import mlflow
from databricks.sdk import WorkspaceClient
from databricks_ai_bridge import ModelServingUserCredentials
from databricks_openai import DatabricksOpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


def ask(question: str, answers: dict) -> None:
    user_client = WorkspaceClient(credentials_strategy=ModelServingUserCredentials())
    name = user_client.current_user.me().user_name
    answer = DatabricksOpenAI(workspace_client=user_client).chat.completions.create(
        model="fake-llm", messages=[{"role": "user", "content": f"{name} asks {question}"}])
    answers[question] = answer.choices[0].message.content


class ThreadedAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        questions = [request.input[-1].content, "and once more"]
        answers = {}
        threads = [threading.Thread(target=ask, args=(q, answers), daemon=True) for q in questions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        text = " | ".join(answers[q] for q in questions)
        return ResponsesAgentResponse(output=[self.create_text_output_item(text, "msg_1")])


mlflow.models.set_model(ThreadedAgent())
