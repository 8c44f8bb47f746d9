# expect: adapter S2A101 S2A106 S2A110
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentStreamEvent, ResponsesAgentRequest, ResponsesAgentResponse
from agent_server.adapters import in_worker_thread, stream_events_from_response
from collections.abc import AsyncIterator
from mlflow.genai.agent_server import invoke, stream


class Smoke(ResponsesAgent):
    def predict(self, request):
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="smoke", id="s")])


AGENT = Smoke()

# Left from the notebook the agent was written in: a call made at import, and a manual test.
FIRST_ANSWER = AGENT.predict(ResponsesAgentRequest(input=[{"role": "user", "content": "warm up"}]))

if __name__ == "__main__":
    print(AGENT.predict(ResponsesAgentRequest(input=[{"role": "user", "content": "hi"}])))


@invoke()
async def invoke_agent(request: ResponsesAgentRequest) -> ResponsesAgentResponse:
    return await in_worker_thread(AGENT.predict, request)


@stream()
async def stream_agent(request: ResponsesAgentRequest) -> AsyncIterator[ResponsesAgentStreamEvent]:
    response = await in_worker_thread(AGENT.predict, request)
    for event in stream_events_from_response(response):
        yield event
