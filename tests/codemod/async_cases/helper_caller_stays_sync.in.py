# expect: functions S2A100 S2A110 S2A172
import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, ResponsesAgentStreamEvent, to_chat_completions_input


class Chained(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI()

    def _chunks(self, request):
        messages = to_chat_completions_input([i.model_dump() for i in request.input])
        for chunk in self.client.chat.completions.create(model="databricks-gpt-5", messages=messages, stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content

    def predict(self, request):
        text = "".join(self.predict_text(request))
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="c")])

    def predict_text(self, request):
        # list() of the helper: if the helper became an async generator, this caller could not follow.
        return list(self._chunks(request))

    def predict_stream(self, request):
        for item in self.predict(request).output:
            yield ResponsesAgentStreamEvent(type="response.output_item.done", item=item)


mlflow.models.set_model(Chained())
