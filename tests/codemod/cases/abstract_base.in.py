# expect: adapter S2A101 S2A110
from abc import abstractmethod

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class BaseAgent(ResponsesAgent):
    @abstractmethod
    def answer(self, text: str) -> str: ...

    def predict(self, request):
        return ResponsesAgentResponse(
            output=[self.create_text_output_item(text=self.answer(request.input[-1].content), id="b")]
        )


class ReverseAgent(BaseAgent):
    def answer(self, text):
        return text[::-1]


mlflow.models.set_model(ReverseAgent())
