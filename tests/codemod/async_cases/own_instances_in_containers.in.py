# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import time
import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class Retriever:
    """Held in a list and a dict: a call on an item cannot be typed, but only this class has a `search`."""

    def __init__(self, name: str):
        self.name = name

    def search(self, query: str) -> str:
        time.sleep(0.01)  # stands for a vector search request
        return f"[{self.name} docs for {query}]"

    def label(self) -> str:
        return self.name.upper()


RETRIEVERS = {"a": Retriever("a"), "b": Retriever("b")}


class Api:
    """Its method shares a dict's name: known as Api's through the container it is taken from."""

    def __init__(self, name: str):
        self.name = name

    def get(self, path: str) -> str:
        time.sleep(0.01)  # stands for an HTTP call
        return f"[{self.name}{path}]"


APIS = {"crm": Api("crm"), "erp": Api("erp")}
SETTINGS = {"path": "/orders"}


class Holder(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI()
        self.retrievers = [Retriever("x"), Retriever("y")]

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        docs = ""
        for r in self.retrievers:
            docs += r.search("q") + r.label()
        docs += RETRIEVERS["a"].search("q")
        for key in sorted(RETRIEVERS):
            docs += RETRIEVERS.get(key).search(key)
        docs += APIS["crm"].get(SETTINGS.get("path"))
        for api in APIS.values():
            docs += api.get("/status")
        e = self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=docs + e, id="t")])


AGENT = Holder()
mlflow.models.set_model(AGENT)
