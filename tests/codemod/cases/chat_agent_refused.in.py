# expect: refused S2A192
# behaviour: not compared (refused)
import mlflow
from mlflow.pyfunc import ChatAgent


class Old(ChatAgent):
    def predict(self, messages, context=None, custom_inputs=None):
        return None


mlflow.models.set_model(Old())
