# expect: functions S2A100 S2A110 S2A111 S2A172
"""The agent's own @contextmanager generators entered with `with`: a `with` runs the generator's code on entering
and leaving, so one that may block (waits for a pooled connection, opens a database) keeps the function that
enters it synchronous, in a worker thread, as the agent ran under Model Serving. Calling the generator in a worker
thread would not help: the blocking code runs later, in `__enter__`, on the event loop."""
import sqlite3
import time
from contextlib import contextmanager

import mlflow
from databricks_langchain import ChatDatabricks
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class PooledAgent(ResponsesAgent):
    def __init__(self):
        self.llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
        self.db_path = ":memory:"

    @contextmanager
    def get_connection(self):
        time.sleep(0.01)  # a pool's wait for a free connection
        conn = sqlite3.connect(self.db_path)
        try:
            yield conn
        finally:
            conn.close()

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        with self.get_connection() as conn:
            prefix = conn.execute("select 'db'").fetchone()[0]
        answer = self.llm.invoke([{"role": "user", "content": request.input[-1].content}])
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=f"{prefix}: {answer.content}", id="m")])


mlflow.models.set_model(PooledAgent())
