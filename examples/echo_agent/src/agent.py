"""A small ResponsesAgent with no LLM: it echoes the last user message, through a helper module (code_paths)
and a prompt file (artifacts), the way real agents split their code."""

from pathlib import Path

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent

try:
    from helpers.text import words
except ImportError:  # logged without code_paths
    def words(text):
        return text.split()


class EchoAgent(ResponsesAgent):
    def __init__(self, prefix: str = "echo"):
        self.prefix = prefix

    def load_context(self, context):
        # mlflow passes artifacts=None when the model was logged without any.
        if context is not None and context.artifacts and "prompt" in context.artifacts:
            self.prefix = Path(context.artifacts["prompt"]).read_text().strip()

    def _reply(self, request: ResponsesAgentRequest) -> str:
        content = request.input[-1].content
        text = content if isinstance(content, str) else " ".join(part["text"] for part in content)
        return f"{self.prefix}: {text}"

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)

    def predict_stream(self, request: ResponsesAgentRequest):
        reply = self._reply(request)
        for word in words(reply):
            yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=word + " ", item_id="msg-1"))
        yield ResponsesAgentStreamEvent(
            type="response.output_item.done", item=self.create_text_output_item(text=reply, id="msg-1")
        )


AGENT = EchoAgent()
mlflow.models.set_model(AGENT)
