# expect: functions S2A100 S2A110 S2A111 S2A172
"""A CheckpointSaver assigned, not entered with `with`: only the `with` form becomes `async with AsyncCheckpointSaver`,
so this one stays synchronous, and so does the graph given it (its ainvoke would call the sync saver's missing async
methods)."""
import mlflow
from databricks_langchain import ChatDatabricks, CheckpointSaver
from langgraph.graph import StateGraph, MessagesState
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class MemoryAgent(ResponsesAgent):
    def __init__(self):
        self.llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
        self.builder = StateGraph(MessagesState)
        self.builder.add_node("model", lambda state: {"messages": [self.llm.invoke(state["messages"])]})
        self.builder.set_entry_point("model")

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        checkpointer = CheckpointSaver(instance_name="mem")
        graph = self.builder.compile(checkpointer=checkpointer)
        result = graph.invoke({"messages": [("user", request.input[-1].content)]}, {"configurable": {"thread_id": "t"}})
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=result["messages"][-1].content, id="m")])


mlflow.models.set_model(MemoryAgent())
