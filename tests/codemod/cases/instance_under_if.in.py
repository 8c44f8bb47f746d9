# expect: instance S2A101 S2A107
import os

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, ResponsesAgentStreamEvent


class Quiet(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="quiet", id="q")])

    def predict_stream(self, request):
        for item in self.predict(request).output:
            yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


class Loud(Quiet):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="LOUD", id="q")])


if os.environ.get("AGENT_VOICE") == "loud":
    AGENT = Loud()
else:
    AGENT = Quiet()
mlflow.models.set_model(AGENT)
