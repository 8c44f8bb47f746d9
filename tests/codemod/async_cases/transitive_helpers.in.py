# expect: functions S2A100 S2A170
import mlflow
from databricks_langchain import ChatDatabricks
from langgraph.prebuilt import create_react_agent
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent


def lookup_order(order_id: str) -> str:
    """Look up an order (a tool: the graph calls it, so it stays as it is)."""
    return f"order {order_id}: shipped"


class SupportAgent(ResponsesAgent):
    def __init__(self):
        self.llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
        self.graph = create_react_agent(self.llm, tools=[lookup_order])

    def _inputs(self, request):
        return {"messages": [{"role": m.role, "content": m.content} for m in request.input]}

    def _title(self, request) -> str:
        return self.llm.invoke(f"Title for: {request.input[0].content}").content

    def _events(self, request):
        for update in self.graph.stream(self._inputs(request), stream_mode="updates"):
            for node in update.values():
                yield from node["messages"]

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs, custom_outputs={"title": self._title(request)})

    def predict_stream(self, request: ResponsesAgentRequest):
        messages = self._events(request)
        for message in messages:
            yield ResponsesAgentStreamEvent(
                type="response.output_item.done", item=self.create_text_output_item(text=str(message.content), id="m")
            )
        yield from self._closing()

    def _closing(self):
        yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                        item=self.create_text_output_item(text=lookup_order("42"), id="end"))


mlflow.models.set_model(SupportAgent())
