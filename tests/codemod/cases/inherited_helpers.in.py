# expect: functions S2A100 S2A110 S2A111
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class UsesEveryHelper(ResponsesAgent):
    def predict(self, request):
        messages = self.prep_msgs_for_cc_llm([i.model_dump() for i in request.input])
        items = [
            self.create_reasoning_item(id="r", reasoning_text="thinking"),
            self.create_function_call_item(id="f", call_id="c", name="lookup", arguments="{}"),
            self.create_function_call_output_item(call_id="c", output="found"),
            self.create_text_output_item(text=str(len(messages)), id="t"),
        ]
        return ResponsesAgentResponse(output=items)


AGENT = UsesEveryHelper()
mlflow.models.set_model(AGENT)
