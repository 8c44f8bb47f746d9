# expect: functions S2A100 S2A111 S2A170 S2A173
import mlflow
from databricks_langchain import DatabricksStore
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class MemoryStoreAgent(ResponsesAgent):
    def __init__(self):
        self.store = DatabricksStore(instance_name="agent-memory")

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        user_id = (request.custom_inputs or {}).get("user_id", "anonymous")
        self.store.put(("memories", user_id), "last", {"text": request.input[-1].content})
        found = self.store.search(("memories", user_id), query=request.input[-1].content, limit=3)
        previous = self.store.get(("memories", user_id), "last")
        text = f"{len(found)} memories; last: {previous.value['text']}"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="m")])


mlflow.models.set_model(MemoryStoreAgent())
