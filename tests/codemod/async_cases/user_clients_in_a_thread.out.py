# expect: functions S2A100 S2A110 S2A111 S2A133 S2A172
"""An on-behalf-of-user agent that starts a thread of its own per question: each builds the user's client there.
The threads become the scaffold's ContextThread, whose target sees the request's headers, where the user's token is."""
from databricks_openai import DatabricksOpenAI
from mlflow.types.responses import ResponsesAgentStreamEvent, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.utils import ContextThread, get_user_workspace_client
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


def ask(question: str, answers: dict) -> None:
    user_client = get_user_workspace_client()
    name = user_client.current_user.me().user_name
    answer = DatabricksOpenAI(workspace_client=user_client).chat.completions.create(
        model="fake-llm", messages=[{"role": "user", "content": f"{name} asks {question}"}])
    answers[question] = answer.choices[0].message.content


def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    questions = [request.input[-1].content, "and once more"]
    answers = {}
    threads = [ContextThread(target=ask, args=(q, answers), daemon=True) for q in questions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    text = " | ".join(answers[q] for q in questions)
    return ResponsesAgentResponse(output=[create_text_output_item(text, "msg_1")])


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(predict, request)
    for event in stream_events_from_response(response):
        yield event
