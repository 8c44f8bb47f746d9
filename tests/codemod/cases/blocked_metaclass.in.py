# expect: adapter S2A101 S2A110
import abc

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Meta(ResponsesAgent, metaclass=abc.ABCMeta):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="meta", id="m")])


AGENT = Meta()
mlflow.models.set_model(AGENT)
