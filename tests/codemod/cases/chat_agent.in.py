# expect: instance S2A101 S2A107 S2A108
# behaviour: not compared (a chat interface: tests/test_chat_agents.py serves it beside the original)
import uuid

import mlflow
from mlflow.pyfunc import ChatAgent
from mlflow.types.agent import ChatAgentMessage, ChatAgentResponse


class Old(ChatAgent):
    """Answers with the last user message, shouted."""

    def predict(self, messages, context=None, custom_inputs=None):
        text = messages[-1].content.upper()
        return ChatAgentResponse(messages=[ChatAgentMessage(role="assistant", content=text, id=str(uuid.uuid4()))])


mlflow.models.set_model(Old())
