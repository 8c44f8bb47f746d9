# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import sqlite3
import time
import mlflow
from databricks_langchain import ChatDatabricks
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

DB = sqlite3.connect(":memory:", check_same_thread=False)


class Retriever:
    def search(self, query: str) -> str:
        time.sleep(0.01)  # stands for a vector search request
        return f"[docs for {query}]"


class Services:
    """What the agent holds, built once: each attribute's calls are classified by what built it."""

    def __init__(self):
        self.client = OpenAI()
        self.llm = ChatDatabricks(endpoint="databricks-gpt-5")
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.retriever = Retriever()


def ask(client, msgs):
    return client.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content


def first_row():
    # The cursor execute() returns is read on the spot: the whole function runs in a worker thread.
    return str(DB.execute("select 1").fetchone()[0])


class Holder(ResponsesAgent):
    def __init__(self):
        self.svc = Services()
        self.client = OpenAI()

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        a = self.svc.client.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content
        b = self.svc.llm.invoke(msgs).content
        c = self.svc.db.execute("select 2")
        d = self.svc.retriever.search("q") + ask(self.svc.client, msgs) + first_row()
        e = self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=a + b + str(c is not None) + d + e, id="t")])


AGENT = Holder()
mlflow.models.set_model(AGENT)
