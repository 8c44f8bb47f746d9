# expect: functions S2A100 S2A110 S2A111 S2A182
# behaviour: not compared (needs files, services or packages the tests do not have)
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

type Reply = str


class Modern(ResponsesAgent):
    def first[T](self, items: list[T]) -> T:
        return items[0]

    def predict(self, request):
        match request.input[-1].content:
            case "ping":
                text: Reply = "pong"
            case other:
                text = self.first([other])
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id="m")])


AGENT = Modern()
mlflow.models.set_model(AGENT)
