# expect: functions S2A100 S2A110 S2A111 S2A140
# behaviour: not compared (needs files, services or packages the tests do not have)
# artifacts: table=artifacts/table.json
import json
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream
from mlflow.pyfunc import PythonModelContext
from pathlib import Path


def predict(request):
    key = request.input[-1].content
    return ResponsesAgentResponse(output=[create_text_output_item(text=table.get(key, "?"), id="k")])


# The agent's set-up, formerly its __init__ and load_context.
context = PythonModelContext(
    artifacts={
        "table": str(Path(__file__).resolve().parent / "artifacts/table.json"),
    },
    model_config=None,
)
with open(context.artifacts["table"]) as f:
    table = json.load(f)


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
