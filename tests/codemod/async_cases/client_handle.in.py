# expect: functions S2A100 S2A111 S2A170 S2A171
import time

import mlflow
from databricks.vector_search.client import VectorSearchClient
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class RetrievalAgent(ResponsesAgent):
    def __init__(self):
        self.client = VectorSearchClient(disable_notice=True)
        # A handle one of the client's methods returns: its methods call the service too.
        self.index = self.client.get_index(endpoint_name="vs", index_name="main.docs.chunks")

    def _search(self, query: str) -> list[str]:
        for attempt in range(3):
            try:
                hits = self.index.similarity_search(query_text=query, columns=["text"], num_results=3)
                return [row[0] for row in hits["result"]["data_array"]]
            except ConnectionError:
                time.sleep(2**attempt)
        return []

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        found = self._search(request.input[-1].content)
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="\n".join(found), id="m")])


mlflow.models.set_model(RetrievalAgent())
