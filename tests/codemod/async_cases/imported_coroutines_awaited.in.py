# expect: functions S2A100 S2A110 S2A111 S2A172
"""The agent's own coroutine awaits coroutine functions imported from the agent's package (not blocking calls: they
only make coroutines) and calls one imported function the table does not know, which may block. asyncio.run stays
in a synchronous predict (in a worker thread); in sync mode the functions strategy passes the self-check (the
coroutine was the author's, not one the migration wrote)."""
import asyncio
import os

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

from support_agent.gateway import open_gateway, run_question
from support_agent.settings import load_settings


class GatewayAgent(ResponsesAgent):
    async def _answer(self, question: str):
        settings = load_settings(os.getenv("SUPPORT_PROFILE"))
        gateway = await open_gateway(settings)
        return await run_question(gateway, question)

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        result = asyncio.run(self._answer(request.input[-1].content))
        return ResponsesAgentResponse(output=[self.create_text_output_item(str(result["answer"]), "m1")])


mlflow.models.set_model(GatewayAgent())
