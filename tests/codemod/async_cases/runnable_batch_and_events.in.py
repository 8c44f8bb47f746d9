# expect: functions S2A100 S2A170
import mlflow
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent

prompt = ChatPromptTemplate.from_messages([("system", "Answer briefly."), ("user", "{question}")])


class ChainAgent(ResponsesAgent):
    def __init__(self):
        self.chain = prompt | ChatOpenAI(model="gpt-5")

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        questions = [{"question": m.content} for m in request.input]
        answers = self.chain.batch(questions)
        return ResponsesAgentResponse(output=[
            self.create_text_output_item(text=a.content, id=f"msg-{i}") for i, a in enumerate(answers)
        ])

    def predict_stream(self, request: ResponsesAgentRequest):
        events = self.chain.stream_events({"question": request.input[-1].content})
        for event in events:
            if event["event"] == "on_chat_model_stream":
                yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=event["data"]["chunk"].content, item_id="m"))


mlflow.models.set_model(ChainAgent())
