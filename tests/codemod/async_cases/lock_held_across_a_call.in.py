# expect: functions S2A100 S2A111 S2A170 S2A171
import threading
import mlflow
from databricks_langchain import ChatDatabricks
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

LOCK = threading.Lock()
client = OpenAI()
llm = ChatDatabricks(endpoint="databricks-gpt-5")


def ask_one_at_a_time(msgs):
    # Held across the call: async, the next request would wait for the lock on the event loop's own thread while
    # the holder waits for the loop. Stays synchronous, in a worker thread.
    with LOCK:
        return client.chat.completions.create(model="databricks-gpt-5", messages=msgs).choices[0].message.content


class Locks(ResponsesAgent):
    def __init__(self):
        self.lock = threading.Lock()

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        with self.lock:  # nothing awaited inside: predict converts
            count = len(msgs)
        first = ask_one_at_a_time(msgs)
        second = llm.invoke(msgs).content
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=f"{count}:{first}|{second}", id="t")])


AGENT = Locks()
mlflow.models.set_model(AGENT)
