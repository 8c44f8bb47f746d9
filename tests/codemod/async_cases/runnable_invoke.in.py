# expect: functions S2A100 S2A111 S2A170
import mlflow
from databricks_langchain import ChatDatabricks
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class ChatAgent(ResponsesAgent):
    def __init__(self):
        self.llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        messages = [{"role": m.role, "content": m.content} for m in request.input]
        reply = self.llm.invoke(messages).content
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=reply, id="msg-1")])


mlflow.models.set_model(ChatAgent())
