# expect: adapter S2A101 S2A106 S2A110
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


class Smoke(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="smoke", id="s")])


AGENT = Smoke()
mlflow.models.set_model(AGENT)

# Left from the notebook the agent was written in: a call made at import, and a manual test.
FIRST_ANSWER = AGENT.predict(ResponsesAgentRequest(input=[{"role": "user", "content": "warm up"}]))

if __name__ == "__main__":
    print(AGENT.predict(ResponsesAgentRequest(input=[{"role": "user", "content": "hi"}])))
