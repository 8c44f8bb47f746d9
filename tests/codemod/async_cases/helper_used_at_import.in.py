# expect: functions S2A100 S2A110 S2A111 S2A172
import mlflow
from openai import OpenAI
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

client = OpenAI()


def _ask(text):
    response = client.chat.completions.create(model="databricks-gpt-5", messages=[{"role": "user", "content": text}])
    return response.choices[0].message.content


# Set-up at import calls the same helper the agent uses per request: it has to stay synchronous.
GREETING = _ask("say hello")


class Greeter(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=GREETING + _ask("again"), id="g")])


mlflow.models.set_model(Greeter())
