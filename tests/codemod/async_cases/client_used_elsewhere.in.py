# expect: functions S2A100 S2A111 S2A170 S2A171
import mlflow
from databricks_langchain import ChatDatabricks
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

client = OpenAI()
MODELS = [m.id for m in client.models.list()]  # the sync client is used at import, so it stays synchronous
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")


class TwoModels(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        draft = client.chat.completions.create(model=MODELS[0], messages=[{"role": "user", "content": request.input[-1].content}])
        final = llm.invoke(draft.choices[0].message.content)
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=final.content, id="m")])


mlflow.models.set_model(TwoModels())
