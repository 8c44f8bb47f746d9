# expect: functions S2A100 S2A110 S2A111
from mlflow.models import set_model as register
from mlflow.pyfunc import ResponsesAgent as RA
from mlflow.types.responses import ResponsesAgentResponse


class Aliased(RA):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="aliased", id="a")])


register(Aliased())
