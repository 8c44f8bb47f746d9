# expect: functions S2A100 S2A170 S2A173
import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent, to_chat_completions_input


class OpenAIAgent(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI(
            base_url="https://example.invalid/serving-endpoints",
            max_retries=5,
        )
        self.model = "databricks-gpt-5"

    def _messages(self, request):
        return to_chat_completions_input([i.model_dump() for i in request.input])

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        response = self.client.chat.completions.create(model=self.model, messages=self._messages(request))
        text = response.choices[0].message.content
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id=response.id)])

    def predict_stream(self, request: ResponsesAgentRequest):
        text = ""
        for chunk in self.client.chat.completions.create(model=self.model, messages=self._messages(request), stream=True):
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                text += delta
                yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=delta, item_id="msg-1"))
        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=self.create_text_output_item(text=text, id="msg-1"))


mlflow.models.set_model(OpenAIAgent())
