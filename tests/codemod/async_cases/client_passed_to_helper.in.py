# expect: functions S2A100 S2A111 S2A170 S2A171
import time

import mlflow
from databricks_langchain import ChatDatabricks
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

llm = ChatDatabricks(endpoint="databricks-gpt-5")


def ask(client, messages):
    # `client` is a parameter: its type cannot be read here, but predict hands it the synchronous OpenAI client,
    # so ask runs in a worker thread.
    return client.chat.completions.create(model="databricks-gpt-5", messages=messages).choices[0].message.content


def streamed_text(model, messages):
    # Likewise a chat model handed in: its stream() does I/O as it is iterated.
    return "".join(chunk.content for chunk in model.stream(messages))


def shout(text):
    return text.upper()  # handed plain data: stays a plain call


class HelperAgent(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI()

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        time.sleep(0.01)
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        text = f"{ask(self.client, msgs)} | {shout(streamed_text(llm, msgs))}"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="a")])


AGENT = HelperAgent()
mlflow.models.set_model(AGENT)
