# expect: functions S2A100 S2A110 S2A172
"""The Lakebase template's shape: each request builds its graph in a helper, compiled with a checkpointer that has
synchronous methods only (PostgresSaver and SqliteSaver are like the saver here). LangGraph's astream/ainvoke
would call the saver's async methods, which raise NotImplementedError, so the graph keeps stream/invoke, and the
agent runs in worker threads (S2A172 says why)."""
from databricks_langchain import ChatDatabricks
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import MessagesState, StateGraph
from mlflow.types.responses import create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


class SyncOnlySaver(BaseCheckpointSaver):
    def __init__(self):
        super().__init__()
        self._memory = InMemorySaver()

    def get_tuple(self, config):
        return self._memory.get_tuple(config)

    def list(self, config, **kwargs):
        return self._memory.list(config, **kwargs)

    def put(self, config, checkpoint, metadata, new_versions):
        return self._memory.put(config, checkpoint, metadata, new_versions)

    def put_writes(self, config, writes, task_id, task_path=""):
        return self._memory.put_writes(config, writes, task_id, task_path)

    def get_next_version(self, current, channel):
        return self._memory.get_next_version(current, channel)


def _create_graph(checkpointer):
    def call_model(state):
        return {"messages": [llm.invoke(state["messages"])]}

    workflow = StateGraph(MessagesState)
    workflow.add_node("agent", call_model)
    workflow.set_entry_point("agent")
    return workflow.compile(checkpointer=checkpointer)


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    outputs = [e.item for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=outputs)


def predict_stream(request: ResponsesAgentRequest):
    graph = _create_graph(SyncOnlySaver())
    messages = {"messages": [{"role": m.role, "content": m.content} for m in request.input]}
    for update in graph.stream(messages, {"configurable": {"thread_id": "t"}}, stream_mode="updates"):
        for node in update.values():
            for message in node["messages"]:
                yield ResponsesAgentStreamEvent(
                    type="response.output_item.done",
                    item=create_text_output_item(text=message.content, id=message.id),
                )


# The agent's set-up, formerly its __init__ and load_context.
llm = ChatDatabricks(endpoint="databricks-claude-sonnet-4-5")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
