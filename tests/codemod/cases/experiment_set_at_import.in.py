# expect: functions S2A100 S2A110 S2A111 S2A134
# behaviour: not compared (the original would make its experiment active in the test process)
"""An agent file written for a notebook: it picks its tracking server and experiment when imported. The app's server
has already made the app's experiment active; the module-level calls go, the guarded and other ones stay."""
import mlflow
from mlflow import set_experiment
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

mlflow.set_tracking_uri("databricks")
mlflow.set_experiment("/Users/alice@example.com/support-agent")
set_experiment(experiment_id="1234")
mlflow.langchain.autolog()

if __name__ == "__main__":
    # Not at import in the app: stays.
    mlflow.set_experiment("/Users/alice@example.com/scratch")


class Agent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        return ResponsesAgentResponse(output=[self.create_text_output_item(text="ok", id="m1")])


mlflow.models.set_model(Agent())
