"""A tool-calling agent on the OpenAI client (chat completions, streaming), shaped like the public examples."""

import json

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import (
    ResponsesAgentRequest,
    ResponsesAgentResponse,
    ResponsesAgentStreamEvent,
    to_chat_completions_input,
)
from openai import OpenAI

TOOLS = [{
    "type": "function",
    "function": {
        "name": "lookup_order",
        "description": "Where an order is.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
    },
}]


def lookup_order(order_id: str) -> str:
    return f"order {order_id} shipped"


class OrderAgent(ResponsesAgent):
    def __init__(self, model: str = "fake-llm"):
        self.client = OpenAI()
        self.model = model

    def _run_tool(self, call):
        return lookup_order(**json.loads(call.function.arguments))

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs)

    def predict_stream(self, request: ResponsesAgentRequest):
        messages = to_chat_completions_input([i.model_dump() for i in request.input])
        first = self.client.chat.completions.create(model=self.model, messages=messages, tools=TOOLS)
        message = first.choices[0].message
        for call in message.tool_calls or []:
            messages.append({"role": "assistant", "content": None, "tool_calls": [call.model_dump()]})
            yield ResponsesAgentStreamEvent(type="response.output_item.done", item=self.create_function_call_item(
                id=call.id, call_id=call.id, name=call.function.name, arguments=call.function.arguments))
            output = self._run_tool(call)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
            yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                            item=self.create_function_call_output_item(call_id=call.id, output=output))
        text = ""
        for chunk in self.client.chat.completions.create(model=self.model, messages=messages, stream=True):
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                text += delta
                yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=delta, item_id="msg-1"))
        yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                        item=self.create_text_output_item(text=text, id="msg-1"))


mlflow.models.set_model(OrderAgent())
