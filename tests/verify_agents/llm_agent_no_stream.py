"""llm_agent.py without predict_stream, as many agents are written: the migrated app builds its stream from predict
(S2A111), so it asks the model what predict asked once more than the original did."""

import os

import mlflow
from databricks.sdk import WorkspaceClient
from databricks_openai import DatabricksOpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import (
    ResponsesAgentRequest,
    ResponsesAgentResponse,
    to_chat_completions_input,
)

ENDPOINT = "databricks-claude-sonnet-4-5"
PROMPT = "You answer questions about orders."


class OrderStatusAgent(ResponsesAgent):
    def __init__(self):
        self.workspace = WorkspaceClient()
        self.client = DatabricksOpenAI(workspace_client=self.workspace)

    def _status(self) -> str:
        warehouse = os.environ.get("LOOKUP_WAREHOUSE")
        if not warehouse:
            return "unknown"
        result = self.workspace.statement_execution.execute_statement(
            statement="SELECT main.orders.status('42')", warehouse_id=warehouse)
        return result.result.data_array[0][0]

    def _messages(self, request: ResponsesAgentRequest) -> list[dict]:
        system = {"role": "system", "content": f"{PROMPT} Order 42 is {self._status()}."}
        return [system, *to_chat_completions_input([i.model_dump() for i in request.input])]

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        completion = self.client.chat.completions.create(model=ENDPOINT, messages=self._messages(request))
        return ResponsesAgentResponse(output=[self.create_text_output_item(
            text=completion.choices[0].message.content, id="msg-1")])


mlflow.models.set_model(OrderStatusAgent())
