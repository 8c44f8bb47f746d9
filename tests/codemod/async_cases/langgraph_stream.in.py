# expect: functions S2A100 S2A170
import mlflow
from databricks_langchain import ChatDatabricks
from langgraph.prebuilt import create_react_agent
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent


class GraphAgent(ResponsesAgent):
    def __init__(self, endpoint: str = "databricks-claude-sonnet-4-5"):
        self.llm = ChatDatabricks(endpoint=endpoint)
        self.graph = create_react_agent(self.llm.bind_tools([]), tools=[])

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)

    def predict_stream(self, request: ResponsesAgentRequest):
        thread_id = (request.custom_inputs or {}).get("thread_id", "default")
        config = {"configurable": {"thread_id": thread_id}}
        messages = {"messages": [{"role": m.role, "content": m.content} for m in request.input]}
        for update in self.graph.stream(messages, config, stream_mode="updates"):
            for node in update.values():
                for message in node["messages"]:
                    yield ResponsesAgentStreamEvent(
                        type="response.output_item.done",
                        item=self.create_text_output_item(text=message.content, id=message.id),
                    )


AGENT = GraphAgent()
mlflow.models.set_model(AGENT)
