"""A ChatAgent that calls a tool, reads custom_inputs and context, and streams: a weather desk.

Deterministic: the answer depends only on the conversation, so the original and the migrated app must agree.
"""

import json

import mlflow
from mlflow.pyfunc import ChatAgent
from mlflow.types.agent import ChatAgentChunk, ChatAgentMessage, ChatAgentResponse

FORECASTS = {"paris": 18, "oslo": 4}


def weather(city: str) -> str:
    return json.dumps({"city": city, "celsius": FORECASTS.get(city.lower(), 20)})


class WeatherDesk(ChatAgent):
    def _turn(self, messages, context, custom_inputs) -> list[ChatAgentMessage]:
        city = messages[-1].content.split()[-1].strip("?.!") if messages[-1].content else "Paris"
        earlier = sum(len(m.tool_calls or []) for m in messages)
        call_id = f"call-{len(messages)}"
        result = json.loads(weather(city))
        units = (custom_inputs or {}).get("units", "celsius")
        degrees = result["celsius"] if units == "celsius" else round(result["celsius"] * 9 / 5 + 32)
        who = context.user_id if context and context.user_id else "you"
        return [
            ChatAgentMessage(role="assistant", content="Let me look that up.", id=f"msg-{len(messages)}-a",
                             tool_calls=[{"id": call_id, "type": "function",
                                          "function": {"name": "weather", "arguments": json.dumps({"city": city})}}]),
            ChatAgentMessage(role="tool", name="weather", tool_call_id=call_id, content=weather(city),
                             id=f"msg-{len(messages)}-t"),
            ChatAgentMessage(role="assistant", id=f"msg-{len(messages)}-b",
                             content=f"{city}: {degrees} {units}, for {who} (lookups before this one: {earlier})."),
        ]

    def predict(self, messages, context=None, custom_inputs=None) -> ChatAgentResponse:
        turn = self._turn(messages, context, custom_inputs)
        return ChatAgentResponse(messages=turn, custom_outputs={"lookups": 1, "seen": len(messages)})

    def predict_stream(self, messages, context=None, custom_inputs=None):
        first, tool, answer = self._turn(messages, context, custom_inputs)
        yield ChatAgentChunk(delta=first)
        yield ChatAgentChunk(delta=tool)
        words = answer.content.split(" ")
        for i, word in enumerate(words):
            piece = word if i == 0 else " " + word
            last = i == len(words) - 1
            yield ChatAgentChunk(delta=ChatAgentMessage(role="assistant", content=piece, id=answer.id),
                                 custom_outputs={"lookups": 1, "seen": len(messages)} if last else None)


mlflow.models.set_model(WeatherDesk())
