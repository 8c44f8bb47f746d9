# expect: functions S2A100 S2A111 S2A170 S2A171
import time
from concurrent.futures import ThreadPoolExecutor

import mlflow
import requests
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

URLS = ["https://a.example", "https://b.example"]
pool = ThreadPoolExecutor(max_workers=4)


class FanOutAgent(ResponsesAgent):
    # Each helper would become async for its sleep, but calls blocking code the conversion cannot reach: a
    # nested function, a lambda, futures waited on. They stay synchronous and run in worker threads.
    def _nested(self) -> list[str]:
        def fetch(u):
            return requests.get(u, timeout=5).text

        time.sleep(0.01)
        return [fetch(u) for u in URLS]

    def _lambda(self) -> list[str]:
        get = lambda u: requests.get(u, timeout=5).text  # noqa: E731
        time.sleep(0.01)
        return [get(u) for u in URLS]

    def _futures(self) -> list[str]:
        time.sleep(0.01)
        futures = [pool.submit(requests.get, u) for u in URLS]
        return [f.result().text for f in futures]

    def _plain(self) -> int:
        # A lambda that only computes: the helper still becomes async.
        time.sleep(0.01)
        return sorted(URLS, key=lambda u: len(u))[0].count(".")

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        time.sleep(0.01)
        text = f"{self._nested()} {self._lambda()} {self._futures()} {self._plain()}"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="m")])


mlflow.models.set_model(FanOutAgent())
