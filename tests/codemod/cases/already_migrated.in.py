# expect: unchanged S2A102
# behaviour: not compared (no class to run)
from mlflow.genai.agent_server import invoke, stream
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, create_text_output_item


@invoke()
async def answer(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return ResponsesAgentResponse(output=[create_text_output_item(text="done", id="d")])


@stream()
async def answer_stream(request: ResponsesAgentRequest):
    yield {"type": "response.output_item.done", "item": create_text_output_item(text="done", id="d")}
