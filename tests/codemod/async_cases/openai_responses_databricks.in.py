# expect: functions S2A100 S2A111 S2A170 S2A173
import mlflow
from databricks_openai import DatabricksOpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class ResponsesApiAgent(ResponsesAgent):
    def __init__(self):
        self.client = DatabricksOpenAI()

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        response = self.client.responses.create(model="databricks-gpt-5", input=[i.model_dump() for i in request.input])
        return ResponsesAgentResponse(output=[item.model_dump() for item in response.output])


mlflow.models.set_model(ResponsesApiAgent())
