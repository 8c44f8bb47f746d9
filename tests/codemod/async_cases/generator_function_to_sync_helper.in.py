# expect: functions S2A100 S2A170 S2A173
"""MLflow's documented chat-completions shape: a generator method yields the model's chunks as dicts, and
predict_stream hands the generator to MLflow's synchronous output_to_responses_items_stream. Async mode makes the
generator an async generator and runs the helper in a worker thread that pulls each chunk from the event loop
(iterate_sync_consumer), as it does for a generator expression."""
from typing import Any, cast

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import (ResponsesAgentRequest, ResponsesAgentResponse, output_to_responses_items_stream,
                                    to_chat_completions_input)
from openai import OpenAI

SYSTEM_PROMPT = "Answer questions about prices."


class PriceAgent(ResponsesAgent):
    def __init__(self, model: str):
        self.client = OpenAI()
        self.model = model

    def price_of(self, item: str) -> str:
        return f"{item}: $15.99"

    def call_llm(self, messages):
        extra = [{"role": "system", "content": f"Tool results: {self.price_of('tea')}"}]
        for chunk in self.client.chat.completions.create(model=self.model, messages=cast(Any, [*messages, *extra]),
                                                         stream=True):
            yield chunk.to_dict()

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)

    def predict_stream(self, request: ResponsesAgentRequest):
        messages = to_chat_completions_input([{"role": "system", "content": SYSTEM_PROMPT}]
                                             + [i.model_dump() for i in request.input])
        yield from output_to_responses_items_stream(self.call_llm(messages))


mlflow.models.set_model(PriceAgent(model="databricks-gpt-5"))
