# expect: functions S2A100 S2A110 S2A172
import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent

client = OpenAI()


def deltas(msgs):
    total = ""
    for chunk in client.chat.completions.create(model="databricks-gpt-5", messages=msgs, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            total += chunk.choices[0].delta.content
            yield chunk.choices[0].delta.content
    return total  # Don't touch: an async generator cannot return a value, so deltas stays synchronous


class GenRet(ResponsesAgent):
    def predict_stream(self, request: ResponsesAgentRequest):
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        text = ""
        for d in deltas(msgs):
            text += d
            yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=d, item_id="g"))
        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=self.create_text_output_item(text=text, id="g"))

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        items = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=items)


AGENT = GenRet()
mlflow.models.set_model(AGENT)
