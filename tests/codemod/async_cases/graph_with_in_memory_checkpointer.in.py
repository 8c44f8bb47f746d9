# expect: functions S2A100 S2A111 S2A170
"""A graph compiled with LangGraph's in-memory checkpointer and store, whose async methods work beside the sync
ones: the graph runs with ainvoke on the event loop."""
import mlflow
from databricks_langchain import ChatDatabricks
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import MessagesState, StateGraph
from langgraph.store.memory import InMemoryStore
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
builder = StateGraph(MessagesState)
builder.add_node("agent", lambda state: {"messages": [llm.invoke(state["messages"])]})
builder.set_entry_point("agent")
graph = builder.compile(checkpointer=InMemorySaver(), store=InMemoryStore())


class MemoryAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        thread = (request.custom_inputs or {}).get("thread_id", "t")
        result = graph.invoke({"messages": [("user", request.input[-1].content)]}, {"configurable": {"thread_id": thread}})
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=result["messages"][-1].content, id="m")])


mlflow.models.set_model(MemoryAgent())
