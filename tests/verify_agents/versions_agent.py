"""An agent that answers with the version of a package it was served with: the answer shows which environment ran
it. With VERSIONS_AGENT_NEEDS_SIX set, it refuses to load with any other version of that package."""

import os
from importlib import metadata

import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse

if os.environ.get("VERSIONS_AGENT_NEEDS_SIX", metadata.version("six")) != metadata.version("six"):
    raise ImportError(f"this agent needs six {os.environ['VERSIONS_AGENT_NEEDS_SIX']}")


class VersionAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=f"six {metadata.version('six')}",
                                                                           id="version")])


mlflow.models.set_model(VersionAgent())
