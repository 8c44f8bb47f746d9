# expect: functions S2A100 S2A110
# behaviour: not compared (needs files, services or packages the tests do not have)
import mlflow
from databricks_langchain import ChatDatabricks
from langgraph.prebuilt import create_react_agent
from mlflow.types.responses import ResponsesAgentRequest, to_chat_completions_input, ResponsesAgentResponse, ResponsesAgentStreamEvent, output_to_responses_items_stream
from agent_server.adapters import in_worker_thread, iterate_in_worker_thread
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

LLM_ENDPOINT = "databricks-claude-sonnet-4-5"
SYSTEM_PROMPT = "You are a helpful assistant."


def predict(request):
    outputs = [e.item for e in predict_stream(request) if e.type == "response.output_item.done"]
    return ResponsesAgentResponse(output=outputs, custom_outputs=request.custom_inputs)


def predict_stream(request):
    messages = {"messages": to_chat_completions_input([i.model_dump() for i in request.input])}
    for _, events in agent.stream(messages, stream_mode=["updates"]):
        for node in events.values():
            yield from output_to_responses_items_stream(node["messages"])


mlflow.langchain.autolog()


# The agent's set-up, formerly its __init__ and load_context.
endpoint = LLM_ENDPOINT
llm = ChatDatabricks(endpoint=endpoint)
agent = create_react_agent(llm, tools=[], prompt=SYSTEM_PROMPT)


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in iterate_in_worker_thread(predict_stream, request):
        yield event
