# expect: functions S2A100 S2A111 S2A170
import mlflow
from langgraph.graph import StateGraph, MessagesState
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


def respond(state: MessagesState):
    return {"messages": [("assistant", "ok")]}


builder = StateGraph(MessagesState)
builder.add_node("respond", respond)
builder.set_entry_point("respond")


class StatefulAgent(ResponsesAgent):
    def __init__(self):
        self.graph = builder.compile()

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        config = {"configurable": {"thread_id": request.custom_inputs["thread_id"]}}
        self.graph.update_state(config, {"messages": [("user", request.input[-1].content)]})
        state = self.graph.get_state(config)
        text = state.values["messages"][-1].content
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="m")])


mlflow.models.set_model(StatefulAgent())
