# expect: functions S2A100 S2A111 S2A170
import mlflow
from databricks_langchain import ChatDatabricks, CheckpointSaver
from langgraph.graph import StateGraph, MessagesState
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

LAKEBASE_INSTANCE = "agent-memory"


class MemoryAgent(ResponsesAgent):
    def __init__(self):
        self.llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
        self.builder = StateGraph(MessagesState)
        self.builder.add_node("model", lambda state: {"messages": [self.llm.invoke(state["messages"])]})
        self.builder.set_entry_point("model")

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        thread_id = (request.custom_inputs or {}).get("thread_id") or request.context.conversation_id
        with CheckpointSaver(instance_name=LAKEBASE_INSTANCE) as checkpointer:
            graph = self.builder.compile(checkpointer=checkpointer)
            result = graph.invoke({"messages": [("user", request.input[-1].content)]},
                                  {"configurable": {"thread_id": thread_id}})
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=result["messages"][-1].content, id="m")])


mlflow.models.set_model(MemoryAgent())
