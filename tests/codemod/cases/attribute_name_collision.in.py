# expect: functions S2A100 S2A110 S2A111
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

prefix = ">>"


def history():
    return []


class Shadowing(ResponsesAgent):
    def __init__(self):
        self.prefix = "agent"
        self.history = history()

    def predict(self, request, prefix: str = "!"):
        text = f"{prefix}{self.prefix} {len(self.history)}"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="s")])


AGENT = Shadowing()
mlflow.models.set_model(AGENT)
