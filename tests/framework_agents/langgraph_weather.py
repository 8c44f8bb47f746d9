"""A LangGraph ReAct agent on ChatDatabricks with one tool, shaped like the public LangGraph agent examples."""

import mlflow
from databricks_langchain import ChatDatabricks
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


class WeatherGraphAgent(ResponsesAgent):
    def __init__(self):
        self.llm = ChatDatabricks(endpoint="fake-llm")
        self.graph = create_react_agent(self.llm, tools=[get_weather])

    def _inputs(self, request):
        return {"messages": [{"role": m.role, "content": m.content} for m in request.input]}

    def _items(self, message):
        if message.type == "tool":
            return [self.create_function_call_output_item(call_id=message.tool_call_id, output=message.content)]
        calls = [self.create_function_call_item(id=c["id"], call_id=c["id"], name=c["name"],
                                                arguments=json.dumps(c["args"])) for c in message.tool_calls]
        text = [self.create_text_output_item(text=message.content, id=message.id)] if message.content else []
        return calls + text

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)

    def predict_stream(self, request: ResponsesAgentRequest):
        thread_id = (request.custom_inputs or {}).get("thread_id", "default")
        config = {"configurable": {"thread_id": thread_id}}
        for update in self.graph.stream(self._inputs(request), config, stream_mode="updates"):
            for node in update.values():
                for message in node["messages"]:
                    for item in self._items(message):
                        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


import json  # noqa: E402  (late on purpose: the codemod must keep module statements in order)

mlflow.models.set_model(WeatherGraphAgent())
