# expect: functions S2A100 S2A170 S2A173
import mlflow
import openai
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse, ResponsesAgentStreamEvent

client = openai.OpenAI()


@mlflow.trace(span_type="LLM")
def call_llm(messages, stream=False):
    # The same helper answers whole or streamed: awaited, its value is iterated with `async for` where the
    # caller iterates it, and read as a completion elsewhere.
    return client.chat.completions.create(model="databricks-gpt-5", messages=messages, stream=stream)


def stream_llm(messages):
    response = call_llm(messages, stream=True)  # a stream returned through a local, and through a second helper
    return response


def to_messages(request):
    return [{"role": m.role, "content": m.content} for m in request.input]


class HelperAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        first = call_llm(to_messages(request)).choices[0].message.content
        response = call_llm(to_messages(request))  # a whole answer, read through a local
        text = first if first == response.choices[0].message.content else "differs"
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="h")])

    def predict_stream(self, request: ResponsesAgentRequest):
        parts = []
        for chunk in call_llm(to_messages(request), stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
                yield ResponsesAgentStreamEvent(**self.create_text_delta(delta=chunk.choices[0].delta.content, item_id="h"))
        chunks = stream_llm(to_messages(request))
        count = len([chunk for chunk in chunks])
        yield ResponsesAgentStreamEvent(type="response.output_item.done",
                                        item=self.create_text_output_item(text="".join(parts) + f" ({count > 0})", id="h"))


AGENT = HelperAgent()
mlflow.models.set_model(AGENT)
