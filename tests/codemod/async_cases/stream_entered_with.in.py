# expect: functions S2A100 S2A170 S2A173
import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent

class WithAgent(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI()

    def predict_stream(self, request: ResponsesAgentRequest):
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        buf = []
        # The stream is a context manager that closes the response: `async with await ...` on the async client.
        with self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs, stream=True) as stream:
            for chunk in stream:
                delta = chunk.choices[0].delta.content if chunk.choices else None
                if delta:
                    buf.append(delta)
                    yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=delta, item_id="c"))
        yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                        item=self.create_text_output_item(text="".join(buf), id="c"))

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        items = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=items)


AGENT = WithAgent()
mlflow.models.set_model(AGENT)
