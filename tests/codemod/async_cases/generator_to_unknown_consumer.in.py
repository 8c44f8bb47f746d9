# expect: functions S2A100 S2A110 S2A111 S2A172
import json

import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, to_chat_completions_input


def _joined(parts):
    return "".join(parts)


class Joiner(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI()

    def predict(self, request):
        messages = to_chat_completions_input([i.model_dump() for i in request.input])
        stream = self.client.chat.completions.create(model="databricks-gpt-5", messages=messages, stream=True)
        # A generator expression handed to the agent's own synchronous function: it must stay synchronous.
        text = _joined(c.choices[0].delta.content or "" for c in stream if c.choices)
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=json.loads(json.dumps(text)), id="j")])


mlflow.models.set_model(Joiner())
