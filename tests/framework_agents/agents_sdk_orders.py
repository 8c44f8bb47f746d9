"""An OpenAI Agents SDK agent with a function tool, run with Runner.run_sync, shaped like the public examples."""

import mlflow
from agents import Agent, OpenAIChatCompletionsModel, Runner, function_tool, set_tracing_disabled
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse
from openai import AsyncOpenAI

set_tracing_disabled(True)


@function_tool
def lookup_order(order_id: str) -> str:
    """Where an order is."""
    return f"order {order_id} shipped"


class SdkOrderAgent(ResponsesAgent):
    def __init__(self):
        model = OpenAIChatCompletionsModel(model="fake-llm", openai_client=AsyncOpenAI())
        self.agent = Agent(name="orders", instructions="Find orders.", tools=[lookup_order], model=model)

    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        result = Runner.run_sync(self.agent, [{"role": m.role, "content": m.content} for m in request.input])
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=result.final_output, id="msg-1")])


mlflow.models.set_model(SdkOrderAgent())
