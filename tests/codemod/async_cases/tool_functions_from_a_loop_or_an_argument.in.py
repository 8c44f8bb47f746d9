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


def run_tool(tool, **arguments):
    # `tool` is handed in: whatever it does, it runs where run_tool runs.
    return tool(**arguments)


class LoopTools(ResponsesAgent):
    def __init__(self):
        self.tools = {"lookup": lookup}

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        r = client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
        results = []
        for name, fn in self.tools.items():  # the classic dispatch over the tool table
            if name == "lookup":
                results.append(fn("1"))
        results += [tool("2") for tool in self.tools.values()]
        results.append(run_tool(lookup, order_id="3"))
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=r.choices[0].message.content + "".join(results), id="t")])


AGENT = LoopTools()
mlflow.models.set_model(AGENT)
