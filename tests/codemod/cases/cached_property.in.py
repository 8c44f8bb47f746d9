# expect: functions S2A100 S2A110 S2A111
import functools
from functools import cached_property

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

BUILDS = []


class WithCachedProperties(ResponsesAgent):
    """Cached properties of the one instance: computed at the first read, then kept, as functools.cache keeps them."""

    def __init__(self):
        self.base = "model"

    @functools.cached_property
    def model_name(self):
        BUILDS.append("model_name")
        return f"{self.base}-v2"

    @cached_property
    def prompt(self):
        return f"You answer with {self.model_name}."

    def predict(self, request):
        text = f"{self.prompt} {self.model_name} built {len(BUILDS)} time(s)"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="p")])


AGENT = WithCachedProperties()
mlflow.models.set_model(AGENT)
