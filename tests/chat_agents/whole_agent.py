"""A ChatAgent that only answers whole (no predict_stream): the app builds its stream from the whole answer."""

import mlflow
from mlflow.pyfunc import ChatAgent
from mlflow.types.agent import ChatAgentMessage, ChatAgentResponse


class Counter(ChatAgent):
    def predict(self, messages, context=None, custom_inputs=None) -> ChatAgentResponse:
        said = [m.content for m in messages if m.role == "user"]
        reply = f"You said {len(said)} thing(s); the last was {said[-1]!r}."
        return ChatAgentResponse(messages=[ChatAgentMessage(role="assistant", content=reply, id="count")])


AGENT = Counter()
mlflow.models.set_model(AGENT)
