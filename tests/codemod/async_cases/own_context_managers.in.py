# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import time

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse
from openai import OpenAI


class Timer:
    """Its __enter__/__exit__ only read the clock: entered on the event loop as it is."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self.start
        return False


class Connection:
    """Its __enter__ and __exit__ block (open and close a connection): a function that enters one stays
    synchronous and runs in a worker thread."""

    def __enter__(self):
        time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        time.sleep(0.01)
        return False

    def fetch(self, query):
        return f"[rows for {query}]"


class ContextAgent(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI()

    def _rows(self, query):
        with Connection() as conn:
            return conn.fetch(query)

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        with Timer() as timer:
            rows = self._rows(msgs[-1]["content"])
            r = self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
        text = f"{r.choices[0].message.content} {rows} {timer.elapsed >= 0}"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text, "m1")])


mlflow.models.set_model(ContextAgent())
