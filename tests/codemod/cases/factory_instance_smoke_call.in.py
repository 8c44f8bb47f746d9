# expect: instance S2A101 S2A106 S2A107
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class Built(ResponsesAgent):
    def __init__(self, text):
        self.text = text

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.text, id="f")])


def build_agent():
    return Built("built by a factory")


AGENT = build_agent()
AGENT.predict(ResponsesAgentRequest(input=[{"role": "user", "content": "smoke test"}]))
mlflow.models.set_model(AGENT)
