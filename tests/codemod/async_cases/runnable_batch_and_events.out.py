# expect: functions S2A100 S2A170
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from mlflow.types.responses import create_text_delta, create_text_output_item, ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream

prompt = ChatPromptTemplate.from_messages([("system", "Answer briefly."), ("user", "{question}")])


async def predict(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    questions = [{"question": m.content} for m in request.input]
    answers = await chain.abatch(questions)
    return ResponsesAgentResponse(output=[
        create_text_output_item(text=a.content, id=f"msg-{i}") for i, a in enumerate(answers)
    ])


async def predict_stream(request: ResponsesAgentRequest):
    events = chain.astream_events({"question": request.input[-1].content})
    async for event in events:
        if event["event"] == "on_chat_model_stream":
            yield ResponsesAgentStreamEvent(**create_text_delta(delta=event["data"]["chunk"].content, item_id="m"))


# The agent's set-up, formerly its __init__ and load_context.
chain = prompt | ChatOpenAI(model="gpt-5")


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await predict(request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    async for event in predict_stream(request):
        yield event
