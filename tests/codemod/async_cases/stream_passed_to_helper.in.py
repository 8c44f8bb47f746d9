# expect: functions S2A100 S2A110 S2A111 S2A172
import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

client = OpenAI()


def collect(stream):
    return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)


class Collector(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        # Don't touch: the stream goes to a synchronous helper that iterates it, which an async stream would
        # break; predict stays synchronous and runs in a worker thread.
        text = collect(client.chat.completions.create(model="databricks-gpt-5", messages=msgs, stream=True))
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="co")])


AGENT = Collector()
mlflow.models.set_model(AGENT)
