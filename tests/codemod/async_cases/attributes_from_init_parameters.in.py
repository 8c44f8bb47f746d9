# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import os
import sqlite3
import tempfile

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse
from openai import OpenAI

DB = os.path.join(tempfile.mkdtemp(), "turns.db")


class Services:
    """Set from its parameters: what `db` holds is what the construction below passes (sqlite3.connect), so its
    calls run in a worker thread; `label` is a string (its default), called directly."""

    def __init__(self, db, label="turn"):
        self.db = db
        self.label = label


class ParameterAgent(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI()
        self.services = Services(db=sqlite3.connect(DB, check_same_thread=False))
        self.services.db.execute("CREATE TABLE IF NOT EXISTS turns (text TEXT)")

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        r = self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
        text = r.choices[0].message.content
        self.services.db.execute("INSERT INTO turns VALUES (?)", (text,))
        self.services.db.commit()
        return ResponsesAgentResponse(output=[self.create_text_output_item(f"{self.services.label.upper()}: {text}", "m1")])


mlflow.models.set_model(ParameterAgent())
