# expect: functions S2A100 S2A111 S2A130 S2A170
"""An own @contextmanager that only reads the clock stays on the event loop: the function that enters it
converts. (Conservative: a call the table cannot tell from a plain computation, such as a list's append, counts
as one that may block.)"""
import time
from contextlib import contextmanager

import mlflow
from databricks_langchain import ChatDatabricks
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")
TIMINGS = {}


@contextmanager
def timed(label):
    start = time.perf_counter()
    yield label
    TIMINGS[label] = time.perf_counter() - start


class TimedAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        with timed("ask") as label:
            answer = llm.invoke([{"role": "user", "content": request.input[-1].content}])
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=f"{label}: {answer.content}", id="m")])


mlflow.models.set_model(TimedAgent())
