# expect: adapter S2A101 S2A110 S2A176
import mlflow
from databricks_langchain import ChatDatabricks
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class Base(ResponsesAgent):
    def __init__(self):
        self.llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")


class Kept(Base):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.llm.invoke("hi").content, id="m")])


mlflow.models.set_model(Kept())
