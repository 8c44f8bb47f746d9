# expect: functions S2A100 S2A111 S2A170
import mlflow
from databricks_langchain import ChatDatabricks
from langgraph.prebuilt import create_react_agent
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

llm = ChatDatabricks(endpoint="databricks-gpt-5")


def build_graph(model, tools):
    # Handed a chat model, but a factory: what it returns is a graph, whose ainvoke the caller awaits.
    return create_react_agent(model, tools)


class PerRequest(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        graph = build_graph(llm, [])
        result = graph.invoke({"messages": [{"role": m.role, "content": m.content} for m in request.input]})
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=result["messages"][-1].content, id="g")])


AGENT = PerRequest()
mlflow.models.set_model(AGENT)
