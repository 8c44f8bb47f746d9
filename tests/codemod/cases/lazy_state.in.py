# expect: functions S2A100 S2A110 S2A111 S2A130
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


def connect():
    return {"connected": True}


class Lazy(ResponsesAgent):
    def __init__(self):
        self.client = None
        self.calls = 0

    def _client(self):
        if self.client is None:
            self.client = connect()
        return self.client

    def predict(self, request):
        self.calls += 1
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=str(self._client()), id="l")])


AGENT = Lazy()
mlflow.models.set_model(AGENT)
