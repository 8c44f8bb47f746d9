# expect: functions S2A100 S2A110 S2A111
# behaviour: not compared (needs files, services or packages the tests do not have)
import json

import mlflow
from databricks.sdk import WorkspaceClient
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, ResponsesAgentStreamEvent

mlflow.openai.autolog()


class ToolCallingAgent(ResponsesAgent):
    def __init__(self, llm_endpoint: str, tools: list[dict]):
        self.llm_endpoint = llm_endpoint
        self.workspace_client = WorkspaceClient()
        self.client = self.workspace_client.serving_endpoints.get_open_ai_client()
        self.tools = tools

    def call_llm(self, messages):
        return self.client.chat.completions.create(model=self.llm_endpoint, messages=messages, tools=self.tools)

    def predict(self, request):
        messages = self.prep_msgs_for_cc_llm([i.model_dump() for i in request.input])
        response = self.call_llm(messages)
        text = response.choices[0].message.content or json.dumps([])
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="o")])


AGENT = ToolCallingAgent(llm_endpoint="databricks-claude-sonnet-4-5", tools=[])
mlflow.models.set_model(AGENT)
