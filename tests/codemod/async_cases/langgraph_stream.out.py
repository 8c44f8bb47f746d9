# expect: functions S2A100 S2A170
from databricks_langchain import ChatDatabricks
from langgraph.prebuilt import create_react_agent
from mlflow.types.responses import create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    outputs = [e.item async for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)


async def predict_stream(request: ResponsesAgentRequest):
    thread_id = (request.custom_inputs or {}).get("thread_id", "default")
    config = {"configurable": {"thread_id": thread_id}}
    messages = {"messages": [{"role": m.role, "content": m.content} for m in request.input]}
    async for update in graph.astream(messages, config, stream_mode="updates"):
        for node in update.values():
            for message in node["messages"]:
                yield ResponsesAgentStreamEvent(
                    type="response.output_item.done",
                    item=create_text_output_item(text=message.content, id=message.id),
                )


# The agent's set-up, formerly its __init__ and load_context.
endpoint = "databricks-claude-sonnet-4-5"
llm = ChatDatabricks(endpoint=endpoint)
graph = create_react_agent(llm.bind_tools([]), tools=[])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
