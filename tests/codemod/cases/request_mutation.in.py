# expect: functions S2A100 S2A110 S2A111 S2A131
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Mutator(ResponsesAgent):
    def predict(self, request):
        request.input.append({"role": "system", "content": "be brief"})
        request.custom_inputs = {"seen": True}
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=str(len(request.input)), id="m")])


AGENT = Mutator()
mlflow.models.set_model(AGENT)
