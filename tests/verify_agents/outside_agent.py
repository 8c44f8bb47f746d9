"""An agent that asks a service outside the workspace (a hard-coded URL, here from FACTS_URL) for a fact."""

import os

import httpx
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class FactAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        fact = httpx.get(os.environ["FACTS_URL"], timeout=30).text
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=f"A fact: {fact}", id="fact")])


mlflow.models.set_model(FactAgent())
