# expect: functions S2A100 S2A110 S2A111 S2A134
# behaviour: not compared (the original would make its experiment active in the test process)
"""An agent file written for a notebook: it picks its tracking server and experiment when imported. The app's server
has already made the app's experiment active; the module-level calls go, the guarded and other ones stay."""
import mlflow
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

mlflow.langchain.autolog()

if __name__ == "__main__":
    # Not at import in the app: stays.
    mlflow.set_experiment("/Users/alice@example.com/scratch")


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return ResponsesAgentResponse(output=[create_text_output_item(text="ok", id="m1")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
