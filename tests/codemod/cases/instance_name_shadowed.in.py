# expect: functions S2A100 S2A110 S2A111
"""A parameter and a local named like the module's instance (`agent`) are other variables, not uses of the instance:
the class still becomes functions."""
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


def build(name):
    return {"name": name}


class EchoAgent(ResponsesAgent):
    def __init__(self, name="echo"):
        agent = build(name)
        self.config = agent

    def _label(self, agent):
        return agent["name"]

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        label = self._label(self.config)
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=f"{label}: {request.input[-1].content}", id="m")])


agent = EchoAgent()
mlflow.models.set_model(agent)
