# expect: functions S2A100 S2A110 S2A111 S2A130
from collections import defaultdict

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

SESSIONS = defaultdict(list)  # conversations by thread, as a per-process memory keeps them
CONFIG = {"llm": {}}


def remember(thread, text):
    SESSIONS[thread].append(text)
    history = SESSIONS[thread]
    history.append(text)
    snapshot = SESSIONS[thread][:]  # a copy: changing it changes nothing shared
    snapshot.append(text)
    settings = CONFIG.get("llm")
    settings["last"] = text
    scratch = []  # the function's own
    scratch.append(text)
    return history[-1]


class Aliased(ResponsesAgent):
    """Shared objects changed through a local bound to them (or to an item of one), and copies that are not."""

    def __init__(self):
        self.turns = defaultdict(list)

    def predict(self, request):
        thread = (request.custom_inputs or {}).get("thread_id", "none")
        text = request.input[-1].content
        mine = self.turns[thread]
        mine.append(text)
        copy = list(self.turns[thread])  # a copy too
        copy.append(text)
        count = remember(thread, text)
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=f"{text} {count} {mine[-1]}", id="m")])


mlflow.models.set_model(Aliased())
