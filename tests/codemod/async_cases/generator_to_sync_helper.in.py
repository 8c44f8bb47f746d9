# expect: functions S2A100 S2A170 S2A173
import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse, to_chat_completions_input


class Relay(ResponsesAgent):
    def __init__(self):
        self.client = OpenAI()

    def predict(self, request):
        outputs = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=outputs)

    def predict_stream(self, request):
        messages = to_chat_completions_input([i.model_dump() for i in request.input])
        try:
            stream = self.client.chat.completions.create(model="databricks-gpt-5", messages=messages, stream=True)
            # MLflow's helper turns chat-completion chunks into Responses events; it iterates synchronously.
            yield from self.output_to_responses_items_stream(chunk.to_dict() for chunk in stream)
        except Exception as exc:  # the agent hides errors in its answer, so only comparing answers shows them
            yield from self.output_to_responses_items_stream(
                [{"id": "e", "object": "chat.completion.chunk", "model": "m", "created": 0,
                  "choices": [{"index": 0, "delta": {"role": "assistant", "content": f"Error: {exc}"}}]}]
            )


mlflow.models.set_model(Relay())
