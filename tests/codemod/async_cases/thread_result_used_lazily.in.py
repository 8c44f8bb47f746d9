# expect: functions S2A100 S2A111 S2A170 S2A171
import time

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse
from neo4j import GraphDatabase
from vendor_warehouse import connect

driver = GraphDatabase.driver("neo4j://graph:7687", auth=("neo4j", "secret"))


class GraphAgent(ResponsesAgent):
    def __init__(self):
        self.warehouse = connect("warehouse://analytics")

    # Each helper would become async for its sleep, but uses what a blocking call returned on the event loop:
    # a session entered with `with`, a result iterated (fetched page by page), a cursor's methods. They stay
    # synchronous and run in worker threads as a whole.
    def _facts(self, q: str) -> list:
        time.sleep(0.01)
        with driver.session() as session:
            return [r["n"] for r in session.run("MATCH (n) WHERE n.name = $q RETURN n", q=q)]

    def _rows(self, user: str) -> list:
        time.sleep(0.01)
        rows = self.warehouse.query("select text from history where user_id = ?", user)
        return [row[0] for row in rows]

    def _latest(self, user: str) -> str:
        time.sleep(0.01)
        cursor = self.warehouse.cursor()
        cursor.execute("select max(ts) from history where user_id = ?", user)
        return cursor.fetchone()[0]

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        time.sleep(0.01)  # still async: its own calls all have an async form or run in worker threads
        q = request.input[-1].content
        text = f"{self._facts(q)} {self._rows('me')} {self._latest('me')}"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="m")])


mlflow.models.set_model(GraphAgent())
