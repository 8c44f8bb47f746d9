# expect: functions S2A100 S2A110 S2A111 S2A161
# model_config: model_config.yaml
# behaviour: not compared (reads the model's config file)
import mlflow
from mlflow.models import ModelConfig
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse

config = ModelConfig(development_config="config.yml")
LLM_ENDPOINT = config.get("llm_endpoint")


class Configured(ResponsesAgent):
    def predict(self, request):
        settings = mlflow.models.ModelConfig()
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=settings.get("greeting"), id="c")])


AGENT = Configured()
mlflow.models.set_model(AGENT)
