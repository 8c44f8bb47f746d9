# expect: functions S2A100 S2A170 S2A173
import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, ResponsesAgentStreamEvent, to_chat_completions_input

client = OpenAI()


def _ask(messages):
    return client.chat.completions.create(model="databricks-gpt-5", messages=messages).choices[0].message.content


def _answer(request):
    return _ask(to_chat_completions_input([i.model_dump() for i in request.input]))


def _decorated(request):
    return f"<{_answer(request)}>"


class Deep(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=_decorated(request), id="d")])

    def predict_stream(self, request):
        yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                        item=self.create_text_output_item(text=_decorated(request), id="d"))


mlflow.models.set_model(Deep())
