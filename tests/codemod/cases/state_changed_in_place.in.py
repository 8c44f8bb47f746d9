# expect: functions S2A100 S2A110 S2A111 S2A130
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Outbox:
    def add(self, item):  # a store's write, as a vector store's or memory service's client has
        return item


class Remembering(ResponsesAgent):
    def __init__(self):
        self.history = []
        self.seen = {}
        self.greeted = set()
        self.outbox = Outbox()
        self.settings = {"counts": {}}
        self.history.append("ready")  # building the object in __init__ is not a per-request change

    def _remember(self, text):
        self.history.append(text)
        self.seen[text] = len(self.history)
        self.settings["counts"][text] = self.settings["counts"].get(text, 0) + 1
        self.greeted.add(text)
        self.outbox.add(text)  # not a set the agent built: its add writes elsewhere

    def predict(self, request):
        text = request.input[-1].content
        self._remember(text)
        # Reading shared objects is not a change: count(), get() and items() leave them as they are.
        known = self.history.count(text) > 0 and text in [k for k, _ in self.seen.items()]
        del self.seen[text]
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=f"{text} {known}", id="m")])


AGENT = Remembering()
mlflow.models.set_model(AGENT)
