# expect: functions S2A100 S2A110 S2A111 S2A161
# model_config: model_config.yaml
# behaviour: not compared (reads the model's config file)
import mlflow
from mlflow.models import ModelConfig
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream
from pathlib import Path

config = ModelConfig(development_config=str(Path(__file__).resolve().parent / "model_config.yaml"))
LLM_ENDPOINT = config.get("llm_endpoint")


def predict(request):
    settings = mlflow.models.ModelConfig(development_config=str(Path(__file__).resolve().parent / "model_config.yaml"))
    return ResponsesAgentResponse(output=[create_text_output_item(text=settings.get("greeting"), id="c")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
