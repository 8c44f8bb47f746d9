# expect: functions S2A100 S2A111 S2A170 S2A171
import mlflow
import requests
from databricks.sdk import WorkspaceClient
from databricks_langchain import ChatDatabricks
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse
from vendor_search import SearchClient, rerank


class ToolAgent(ResponsesAgent):
    def __init__(self):
        self.llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
        self.search = SearchClient(index="docs")
        self.workspace = WorkspaceClient()
        self.openai = self.workspace.serving_endpoints.get_open_ai_client()

    def _weather(self, city: str) -> str:
        return requests.get(f"https://weather.example/{city}", timeout=10).text

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        question = request.input[-1].content
        hits = rerank(self.search.query(question))
        me = self.workspace.current_user.me().user_name
        summary = self.openai.chat.completions.create(model="databricks-gpt-5", messages=[{"role": "user", "content": question}])
        answer = self.llm.invoke(f"{question} {hits} {self._weather('paris')} {me} {summary.choices[0].message.content}")
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=answer.content, id="m")])


mlflow.models.set_model(ToolAgent())
