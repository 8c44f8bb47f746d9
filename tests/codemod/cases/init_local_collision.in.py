# expect: functions S2A100 S2A110 S2A111
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


def tools():
    return ["search", "calculator"]


class ToolUser(ResponsesAgent):
    def __init__(self):
        names = tools()
        self.tools = {name: name.upper() for name in names}

    def predict(self, request):
        listing = ", ".join(sorted(self.tools))
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=listing, id="t")])


AGENT = ToolUser()
mlflow.models.set_model(AGENT)
