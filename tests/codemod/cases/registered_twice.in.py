# expect: refused S2A191
# behaviour: not compared (refused)
from mlflow.genai.agent_server import invoke, stream
from mlflow.types.responses import ResponsesAgentResponse, create_text_output_item


@invoke()
async def first(request):
    return ResponsesAgentResponse(output=[create_text_output_item(text="first", id="1")])


@invoke()
async def second(request):
    return ResponsesAgentResponse(output=[create_text_output_item(text="second", id="2")])


@stream()
async def streamed(request):
    yield None
