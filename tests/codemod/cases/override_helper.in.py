# expect: functions S2A100 S2A110 S2A111
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Branded(ResponsesAgent):
    def create_text_output_item(self, text, id):
        return {"id": id, "type": "message", "role": "assistant",
                "content": [{"type": "output_text", "text": f"[brand] {text}", "annotations": []}]}

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item("hi", "b")])


AGENT = Branded()
mlflow.models.set_model(AGENT)
