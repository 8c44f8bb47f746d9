# expect: functions S2A100 S2A111 S2A170 S2A171
import os
import mlflow
from databricks_langchain import ChatDatabricks
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

# Each of these is a synchronous client whose construction is left as it is (annotated, built in a try, chosen by
# a condition): its calls run in worker threads.
annotated: OpenAI = OpenAI()
try:
    FALLBACK = OpenAI()
except Exception:
    FALLBACK = None


class Conditional(ResponsesAgent):
    def __init__(self, client=None, llm=None):
        self.client = client or OpenAI()
        self.chosen = OpenAI() if os.environ.get("USE_OPENAI", "1") == "1" else None
        self.llm = llm if llm is not None else ChatDatabricks(endpoint="databricks-gpt-5")

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        texts = [c.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content
                 for c in (annotated, FALLBACK, self.client, self.chosen)]
        a = annotated.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content
        b = FALLBACK.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content
        c = self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content
        d = self.chosen.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content
        e = self.llm.invoke(msgs).content
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="|".join([a, b, c, d, e]) + str(len(texts)), id="t")])


AGENT = Conditional()
mlflow.models.set_model(AGENT)
