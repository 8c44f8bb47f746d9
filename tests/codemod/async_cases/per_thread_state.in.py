# expect: functions S2A100 S2A110 S2A172
import threading
from typing import Generator

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from openai import OpenAI


class PerThreadAgent(ResponsesAgent):
    """Keeps the request's user in a threading.local. Each request had a thread of its own in Model Serving, and has
    one still in a worker thread; on the event loop every request would share the loop's thread, and one request
    would read another's user. So nothing becomes async (S2A172), and writing into the threading.local is no write
    to shared state (no S2A130)."""

    def __init__(self):
        self.client = OpenAI()
        self._local = threading.local()

    def _remember(self, request):
        self._local.user = request.input[-1].content

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs)

    def predict_stream(self, request: ResponsesAgentRequest) -> Generator[ResponsesAgentStreamEvent, None, None]:
        self._remember(request)
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        r = self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
        text = f"{r.choices[0].message.content} (for {self._local.user})"
        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=self.create_text_output_item(text, "m1"))


mlflow.models.set_model(PerThreadAgent())
