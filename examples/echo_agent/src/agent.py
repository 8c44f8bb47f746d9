"""A small ResponsesAgent with no LLM: it calls a tool (counting words), then echoes the last user message,
through a helper module (code_paths) and a prompt file (artifacts), the way real agents split their code."""

import json
from pathlib import Path

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent

try:
    from helpers.text import count_words, words
except ImportError:  # logged without code_paths
    def words(text):
        return text.split()

    def count_words(text):
        return f"{len(words(text))} words"

TOOLS = {"count_words": count_words}


class EchoAgent(ResponsesAgent):
    def __init__(self, prefix: str = "echo"):
        self.prefix = prefix

    def load_context(self, context):
        # mlflow passes artifacts=None when the model was logged without any.
        if context is not None and context.artifacts and "prompt" in context.artifacts:
            self.prefix = Path(context.artifacts["prompt"]).read_text().strip()

    def _text(self, request: ResponsesAgentRequest) -> str:
        content = request.input[-1].content
        return content if isinstance(content, str) else " ".join(part["text"] for part in content)

    def _reply(self, request: ResponsesAgentRequest) -> str:
        return f"{self.prefix}: {self._text(request)}"

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)

    def _call_tool(self, name: str, arguments: dict):
        """A tool call and its result, as output items (a real agent's LLM would choose the tool)."""
        call_id = f"call-{name}"
        yield self.create_function_call_item(id="fc-1", call_id=call_id, name=name, arguments=json.dumps(arguments))
        yield self.create_function_call_output_item(call_id=call_id, output=TOOLS[name](**arguments))

    def predict_stream(self, request: ResponsesAgentRequest):
        for item in self._call_tool("count_words", {"text": self._text(request)}):
            yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)
        reply = self._reply(request)
        for word in words(reply):
            yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=word + " ", item_id="msg-1"))
        yield ResponsesAgentStreamEvent(
            type="response.output_item.done", item=self.create_text_output_item(text=reply, id="msg-1")
        )


AGENT = EchoAgent()
mlflow.models.set_model(AGENT)
