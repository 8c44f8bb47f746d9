# expect: functions S2A100 S2A111 S2A170
import mlflow
from agents import Agent, Runner
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

assistant = Agent(name="assistant", instructions="Answer briefly.")


class AgentsSdkAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        result = Runner.run_sync(assistant, [i.model_dump() for i in request.input])
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=result.final_output, id="m")])


mlflow.models.set_model(AgentsSdkAgent())
