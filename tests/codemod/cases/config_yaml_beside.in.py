# expect: functions S2A100 S2A110 S2A111
# behaviour: not compared (needs files, services or packages the tests do not have)
from pathlib import Path

import mlflow
import yaml
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

CONFIG = yaml.safe_load((Path(__file__).parent / "settings.yaml").read_text())


class FromConfig(ResponsesAgent):
    def __init__(self, config):
        self.greeting = config["greeting"]

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.greeting, id="y")])


AGENT = FromConfig(CONFIG)
mlflow.models.set_model(AGENT)
