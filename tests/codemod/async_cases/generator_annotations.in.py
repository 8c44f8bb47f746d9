# expect: functions S2A100 S2A170 S2A173
"""Generators annotated as what they return: made async, `Iterator[...]` and `Generator[..., None, None]` (from typing,
collections.abc or through the module) become `AsyncIterator[...]` and `AsyncGenerator[...]`, which they now are."""
import typing
from collections.abc import Iterator

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from openai import OpenAI

client = OpenAI()


def tokens(messages: list[dict]) -> Iterator[str]:
    for chunk in client.chat.completions.create(model="fake-llm", messages=messages, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            yield chunk.choices[0].delta.content


class StreamingAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        items = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=items)

    def predict_stream(self, request: ResponsesAgentRequest) -> typing.Generator[ResponsesAgentStreamEvent, None, None]:
        text = ""
        for token in tokens([{"role": m.role, "content": m.content} for m in request.input]):
            text += token
            yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=token, item_id="m1"))
        yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                        item=self.create_text_output_item(text=text, id="m1"))


mlflow.models.set_model(StreamingAgent())
