# expect: instance S2A101 S2A107 S2A108
# behaviour: not compared (a chat interface: tests/test_chat_agents.py serves it beside the original)
import mlflow
from mlflow.types.llm import ChatChoice, ChatCompletionResponse, ChatMessage


class EchoModel(mlflow.pyfunc.ChatModel):
    def load_context(self, context):
        self.prefix = "echo: "

    def predict(self, context, messages, params):
        reply = ChatMessage(role="assistant", content=self.prefix + messages[-1].content)
        return ChatCompletionResponse(choices=[ChatChoice(index=0, message=reply)])


model = EchoModel()
mlflow.models.set_model(model)
