# expect: functions S2A100 S2A110
# behaviour: not compared (needs files, services or packages the tests do not have)
import mlflow
from databricks_langchain import ChatDatabricks
from langgraph.prebuilt import create_react_agent
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, ResponsesAgentStreamEvent, output_to_responses_items_stream

LLM_ENDPOINT = "databricks-claude-sonnet-4-5"
SYSTEM_PROMPT = "You are a helpful assistant."


class LangGraphAgent(ResponsesAgent):
    def __init__(self, endpoint: str = LLM_ENDPOINT):
        llm = ChatDatabricks(endpoint=endpoint)
        self.agent = create_react_agent(llm, tools=[], prompt=SYSTEM_PROMPT)

    def predict(self, request):
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)

    def predict_stream(self, request):
        messages = {"messages": self.prep_msgs_for_cc_llm([i.model_dump() for i in request.input])}
        for _, events in self.agent.stream(messages, stream_mode=["updates"]):
            for node in events.values():
                yield from output_to_responses_items_stream(node["messages"])


mlflow.langchain.autolog()
AGENT = LangGraphAgent()
mlflow.models.set_model(AGENT)
