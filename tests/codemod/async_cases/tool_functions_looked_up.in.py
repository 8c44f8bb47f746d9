# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import json
import time
import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

client = OpenAI()


def lookup(order_id: str) -> str:
    time.sleep(0.01)  # stands for a blocking call (requests, a warehouse query)
    return json.dumps({"order_id": order_id, "status": "shipped"})


TOOL_FUNCS = {"lookup": lookup}


class DictTools(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        r = client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
        result = TOOL_FUNCS["lookup"](order_id="1")
        fn = TOOL_FUNCS.get("lookup")
        again = fn("2")
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=r.choices[0].message.content + result + again, id="t")])


AGENT = DictTools()
mlflow.models.set_model(AGENT)
