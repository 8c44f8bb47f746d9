# expect: functions S2A100 S2A110 S2A111
"""An agent whose comments and formatting must survive."""

import mlflow  # tracing and set_model
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentResponse


class Documented(ResponsesAgent):
    """Answers politely."""

    def __init__(self):
        # The reply every request gets.
        self.reply = "Hello!"  # keep it short

    # -- entry point --------------------------------------------------------
    def predict(self, request):
        """Reply to the request."""
        return ResponsesAgentResponse(
            output=[
                self.create_text_output_item(
                    text=self.reply,  # always the same
                    id="d",
                )
            ]
        )


AGENT = Documented()
mlflow.models.set_model(AGENT)
