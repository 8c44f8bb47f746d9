# expect: functions S2A100 S2A110 S2A172
import threading

import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent


class LockedAgent(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI()
        self.lock = threading.Lock()

    def predict_stream(self, request: ResponsesAgentRequest):
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        # Don't touch: `async with` needs every item to be an async context manager, and the lock is not one;
        # the agent stays synchronous and runs in worker threads.
        with self.lock, self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs, stream=True) as stream:
            parts = [c.choices[0].delta.content or "" for c in stream if c.choices]
        text = "".join(parts)
        yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                        item=self.create_text_output_item(text=text, id="l"))

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        items = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=items)


AGENT = LockedAgent()
mlflow.models.set_model(AGENT)
