# expect: functions S2A100 S2A111 S2A170 S2A171
"""A ChatDatabricks built by the function that calls it (its temperature comes with the request). Its first async
call builds a WorkspaceClient, which asks the workspace for its host metadata over blocking HTTP, on the event
loop: on every request here. So that model's calls stay synchronous, in a worker thread (S2A171 says why), while
the model built once, at start-up, is awaited."""
import mlflow
from databricks_langchain import ChatDatabricks
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


class WeatherAgent(ResponsesAgent):
    def __init__(self):
        self.summarizer = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        temperature = float((request.custom_inputs or {}).get("temperature", 0))
        llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5", temperature=temperature)
        graph = create_react_agent(llm, tools=[get_weather])
        result = graph.invoke({"messages": [{"role": "user", "content": request.input[-1].content}]})
        summary = self.summarizer.invoke([{"role": "user", "content": result["messages"][-1].content}])
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=summary.content, id="m")])


mlflow.models.set_model(WeatherAgent())
