# expect: functions S2A100 S2A111 S2A170 S2A171
import time

import mlflow
from databricks_langchain import ChatDatabricks
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse
from openai import OpenAI
from vendor_kb import KnowledgeBase


# Objects built by the agent's own factory functions are what those functions return: a chat model (its async
# pair is used), a client of a library the table does not know (also through a getter of a global), an OpenAI
# client built elsewhere (it stays synchronous: its construction is not here to change), and plain data (left
# alone).
def make_llm():
    return ChatDatabricks(endpoint="databricks-claude-sonnet-4-5", temperature=0)


def make_kb(name):
    kb = KnowledgeBase(name)
    kb.warm()
    return kb


def make_client():
    return OpenAI()


def settings():
    return {"top_k": 3}


ARCHIVE = KnowledgeBase("archive")


def get_archive():
    return ARCHIVE


llm = make_llm()
kb = make_kb("docs")
client = make_client()
config = settings()


class FactoryAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        time.sleep(0.01)
        hits = kb.search(request.input[-1].content, k=config.get("top_k")) + get_archive().search("older")
        summary = client.chat.completions.create(model="m", messages=[{"role": "user", "content": f"{hits}"}])
        answer = llm.invoke(summary.choices[0].message.content)
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=answer.content, id="m")])


mlflow.models.set_model(FactoryAgent())
