# expect: functions S2A100 S2A170 S2A173
"""The stream is closed in a `finally`: on the async client close() is a coroutine, so it is awaited (left as a
plain call it would close nothing and warn that a coroutine was never awaited)."""
import threading

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from openai import OpenAI

M = "databricks-gpt-5"

client = OpenAI()


class CloseAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        items = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=items)

    def predict_stream(self, request):
        stream = client.chat.completions.create(model=M, messages=[{"role": "user", "content": request.input[-1].content}], stream=True)
        parts = []
        try:
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    parts.append(chunk.choices[0].delta.content)
                    yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=parts[-1], item_id="m1"))
        finally:
            stream.close()
        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=self.create_text_output_item("".join(parts), "m1"))


mlflow.models.set_model(CloseAgent())
