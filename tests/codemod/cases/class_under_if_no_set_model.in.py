# expect: refused S2A190
# behaviour: not compared (refused)
import os

from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

if os.environ.get("ENABLE_AGENT"):
    class Hidden(ResponsesAgent):
        def predict(self, request):
            return ResponsesAgentResponse(output=[])
