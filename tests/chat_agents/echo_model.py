"""A ChatModel that reads its sampling parameters, its model context and custom_inputs, and streams."""

import mlflow
from mlflow.types.llm import (
    ChatChoice,
    ChatChoiceDelta,
    ChatChunkChoice,
    ChatCompletionChunk,
    ChatCompletionResponse,
    ChatMessage,
)


class EchoModel(mlflow.pyfunc.ChatModel):
    def load_context(self, context):
        self.greeting = "echo"

    def _reply(self, messages, params) -> str:
        extra = (params.custom_inputs or {}).get("tone", "plain")
        return (f"{self.greeting} ({extra}, temperature={params.temperature}, max_tokens={params.max_tokens}): "
                f"{messages[-1].content}")

    def predict(self, context, messages, params):
        message = ChatMessage(role="assistant", content=self._reply(messages, params))
        return ChatCompletionResponse(choices=[ChatChoice(index=0, message=message)], id="echo-1", model="echo")

    def predict_stream(self, context, messages, params):
        for i, word in enumerate(self._reply(messages, params).split(" ")):
            delta = ChatChoiceDelta(role="assistant", content=word if i == 0 else " " + word)
            yield ChatCompletionChunk(choices=[ChatChunkChoice(index=0, delta=delta)], id="echo-1", model="echo")


mlflow.models.set_model(EchoModel())
