# expect: adapter S2A101 S2A110
from functools import cached_property

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class OverridesItsCachedProperty(ResponsesAgent):
    """Assigning a cached property replaces its value on the instance; a function computed once cannot follow."""

    def __init__(self, name=None):
        if name:
            self.model_name = name

    @cached_property
    def model_name(self):
        return "model-v2"

    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.model_name, id="p")])


AGENT = OverridesItsCachedProperty()
mlflow.models.set_model(AGENT)
