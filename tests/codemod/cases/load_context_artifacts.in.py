# expect: functions S2A100 S2A110 S2A111 S2A140
# behaviour: not compared (needs files, services or packages the tests do not have)
# artifacts: table=artifacts/table.json
import json

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Lookup(ResponsesAgent):
    def load_context(self, context):
        with open(context.artifacts["table"]) as f:
            self.table = json.load(f)

    def predict(self, request):
        key = request.input[-1].content
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.table.get(key, "?"), id="k")])


AGENT = Lookup()
mlflow.models.set_model(AGENT)
