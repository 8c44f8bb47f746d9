# expect: functions S2A100 S2A111 S2A170 S2A171 S2A173
import time
import mlflow
from openai import OpenAI
from pydantic import BaseModel
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class BaseRetriever:
    def search(self, query: str) -> str:
        time.sleep(0.01)  # stands for a vector search request
        return f"[docs for {query}]"


class Retriever(BaseRetriever):
    """Its search is inherited: it blocks, so its calls run in a worker thread."""


class Tagger:
    def __init__(self, tag: str):
        self.tag = tag

    def wrap(self, text: str) -> str:
        # Only builtins: called directly.
        return f"<{self.tag}>{text}</{self.tag}>" + str(len(text))


class Search:
    """Called like a function: its __call__ blocks, so the call runs in a worker thread."""

    def __call__(self, query: str) -> str:
        time.sleep(0.01)
        return f"<{query}>"


class Settings(BaseModel):
    """A pydantic model's own methods (model_dump) do no I/O: called directly."""

    tag: str = "ctx"


class Services:
    def __init__(self):
        self.retriever = Retriever()  # holds what blocks: so do its instances


def ground(retriever, query):
    # Handed the retriever, whose methods block: runs in a worker thread as a whole.
    return retriever.search(query)


def ground_through(services, query):
    # Likewise, handed an object that holds one.
    return services.retriever.search(query)


class OwnClasses(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI()
        self.retriever = Retriever()
        self.tagger = Tagger("ctx")
        self.services = Services()
        self.settings = Settings()
        self.search = Search()

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        msgs = [{"role": m.role, "content": m.content} for m in request.input]
        found = self.retriever.search(msgs[-1]["content"]) + ground(self.retriever, "again") + ground_through(self.services, "third")
        r = self.client.chat.completions.create(model="databricks-gpt-5", messages=msgs)
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=r.choices[0].message.content + self.tagger.wrap(found) + str(len(self.settings.model_dump())) + self.search("q"), id="t")])


AGENT = OwnClasses()
mlflow.models.set_model(AGENT)
