# expect: functions S2A100 S2A111 S2A170 S2A171
import time

import mlflow
import requests
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse
from vendor_kb import KnowledgeBase

URLS = ["https://a.example", "https://b.example"]
kb = KnowledgeBase("docs")


def fetch(u):
    return requests.get(u, timeout=5).text


def short(u):
    return u.split("//")[1]


class JoinAgent(ResponsesAgent):
    # Awaiting inside a generator expression would make it an async one, which join/sum/any cannot take: these
    # two stay synchronous and run in worker threads.
    def _pages(self) -> str:
        time.sleep(0.01)
        return "\n".join(fetch(u) for u in URLS)

    def _known(self) -> bool:
        time.sleep(0.01)
        return any(kb.has(u) for u in URLS)

    def _names(self) -> str:
        # A generator of plain local calls: the helper still becomes async.
        time.sleep(0.01)
        return ",".join(short(u) for u in URLS)

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        time.sleep(0.01)
        text = f"{self._pages()} {self._known()} {self._names()}"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="m")])


mlflow.models.set_model(JoinAgent())
