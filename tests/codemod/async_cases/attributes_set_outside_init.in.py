# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import os
import sqlite3
import time
import mlflow
from databricks_langchain import ChatDatabricks
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class Retriever:
    def search(self, query: str) -> str:
        time.sleep(0.01)  # stands for a vector search request
        return f"[docs for {query}]"


class Rows:
    """An in-process stand-in for the database, with nothing that blocks."""

    def execute(self, query: str) -> str:
        return query


class Services:
    """Attributes set in a set-up method __init__ calls, and set again later: classified by what built them."""

    def __init__(self):
        self.db = None
        self.llm = None
        self.connect()

    def connect(self):
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.llm = ChatDatabricks(endpoint="databricks-gpt-5")
        self.retriever = Retriever()

    def reconnect(self):
        self.db = sqlite3.connect(":memory:", check_same_thread=False)


class Backends:
    """An attribute set to different objects, one of which blocks: its calls run in a worker thread."""

    def __init__(self, local: bool):
        if local:
            self.rows = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            self.rows = Rows()
        self.name = os.environ.get("AGENT_NAME", "agent")


class Holder(ResponsesAgent):
    def __init__(self):
        self.svc = Services()
        self.backends = Backends(local=not os.environ.get("REMOTE_ROWS"))
        self.client = OpenAI()

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        a = self.svc.llm.invoke(msgs).content
        b = str(self.svc.db.execute("select 2") is not None)
        c = self.svc.retriever.search("q")
        d = str(self.backends.rows.execute("select 3") is not None) + self.backends.name.upper()
        e = self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=a + b + c + d + e, id="t")])


AGENT = Holder()
mlflow.models.set_model(AGENT)
