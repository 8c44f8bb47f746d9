# expect: functions S2A100 S2A110 S2A111 S2A130
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Forgetful(ResponsesAgent):
    def __init__(self):
        self.cache = {"warm": True}

    def predict(self, request):
        # `del self.cache` deletes the global cache: the function must declare it global.
        self.cache = {"warm": False}
        del self.cache
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="forgot", id="f")])


mlflow.models.set_model(Forgetful())
