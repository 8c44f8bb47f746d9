# expect: functions S2A100 S2A110 S2A111 S2A130
import functools

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

HISTORY = {}
CALLS = 0
DEFAULTS = {"greeting": "hello"}
BUILT = []
THREADS = set()


def remember(thread, text):
    HISTORY.setdefault(thread, []).append(text)
    THREADS.add(thread)


def load(part):
    BUILT.append(part)  # called by set-up only: runs once, before any request


class ModuleState(ResponsesAgent):
    """Conversations kept in the module's own dict (by a function of the module), a request counter in a global:
    shared by the requests of one process, as self.x would be, and by none of the app's other worker processes."""

    def __init__(self):
        load("agent")

    @functools.cached_property
    def prefix(self):
        BUILT.append("prefix")  # a cached property runs once: lazy set-up, not per-request state
        return DEFAULTS["greeting"]

    def predict(self, request):
        global CALLS
        CALLS += 1
        thread = (request.custom_inputs or {}).get("thread_id", "none")
        remember(thread, request.input[-1].content)
        DEFAULTS = {"greeting": "hi"}  # a local of the same name: the module's dict is untouched
        DEFAULTS["greeting"] = "hey"
        seen = set()
        seen.add(thread)  # a set of its own
        text = f"{self.prefix} {DEFAULTS['greeting']}: {HISTORY[thread][-1]}"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="m")])


mlflow.models.set_model(ModuleState())
