# expect: functions S2A100 S2A110 S2A111
# behaviour: not compared (mlflow.openai.autolog needs the openai package)
import logging

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

mlflow.openai.autolog()


class Early(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=VERSION, id="e")])


AGENT = Early()
mlflow.models.set_model(AGENT)

VERSION = "1.2.3"
logging.getLogger(__name__).info("agent module loaded")
