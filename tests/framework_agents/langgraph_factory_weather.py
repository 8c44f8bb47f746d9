"""A LangGraph tool-calling agent on ChatDatabricks whose graph a module-level factory function builds (StateGraph,
a ToolNode, a conditional edge), shaped like the public tool-calling agent templates."""

import json

import mlflow
from databricks_langchain import ChatDatabricks
from langchain_core.tools import tool
from langgraph.graph import END, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def create_tool_calling_agent(model, tools):
    model = model.bind_tools(tools)

    def should_continue(state):
        return "tools" if state["messages"][-1].tool_calls else END

    def call_model(state):
        return {"messages": [model.invoke(state["messages"])]}

    workflow = StateGraph(MessagesState)
    workflow.add_node("agent", call_model)
    workflow.add_node("tools", ToolNode(tools))
    workflow.set_entry_point("agent")
    workflow.add_conditional_edges("agent", should_continue, ["tools", END])
    workflow.add_edge("tools", "agent")
    return workflow.compile()


class GraphAgent(ResponsesAgent):
    def __init__(self, graph):
        self.graph = graph

    def _items(self, message):
        if message.type == "tool":
            return [self.create_function_call_output_item(call_id=message.tool_call_id, output=message.content)]
        calls = [self.create_function_call_item(id=c["id"], call_id=c["id"], name=c["name"],
                                                arguments=json.dumps(c["args"])) for c in message.tool_calls]
        text = [self.create_text_output_item(text=message.content, id=message.id)] if message.content else []
        return calls + text

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)

    def predict_stream(self, request: ResponsesAgentRequest):
        messages = [{"role": m.role, "content": m.content} for m in request.input]
        for update in self.graph.stream({"messages": messages}, stream_mode="updates"):
            for node in update.values():
                for message in node["messages"]:
                    for item in self._items(message):
                        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


agent = create_tool_calling_agent(ChatDatabricks(endpoint="fake-llm"), [get_weather])
mlflow.models.set_model(GraphAgent(agent))
