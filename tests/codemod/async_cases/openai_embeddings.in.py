# expect: functions S2A100 S2A111 S2A170 S2A173
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse
from openai import OpenAI

DOCUMENTS = ["shipping takes two days", "returns are free"]


class RetrievalAgent(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI()

    def _nearest(self, question: str) -> str:
        vectors = self.client.embeddings.create(model="databricks-gte-large-en", input=[question, *DOCUMENTS])
        query, *docs = [d.embedding for d in vectors.data]
        scores = [sum(a * b for a, b in zip(query, doc)) for doc in docs]
        return DOCUMENTS[scores.index(max(scores))]

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self._nearest(request.input[-1].content), id="m")])


mlflow.models.set_model(RetrievalAgent())
