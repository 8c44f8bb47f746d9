# expect: refused S2A194
# behaviour: not compared (refused)
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class One(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[])


class Two(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[])
