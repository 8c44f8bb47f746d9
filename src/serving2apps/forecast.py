"""What a migration of a model would do, read from its MLmodel and agent file alone (nothing of the model runs):
the agent interface, the codemod's strategy and the codes a person would have to review, or the refusal.

Not forecast: what needs the whole model (code/ imports, artifacts, requirements); `init` reports those.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from serving2apps.codemod.agent_file import migrate_agent_source
from serving2apps.errors import MigrationError
from serving2apps.model_reader import granted_access
from serving2apps.request_format import app_request
from serving2apps.sdk_credentials import review_codes
from serving2apps.user_scopes import acting_as_user, user_api_scopes

# metadata.task that MLflow writes when an agent is logged (mlflow/pyfunc/model.py).
INTERFACES = {"agent/v1/responses": "ResponsesAgent", "agent/v2/chat": "ChatAgent", "agent/v1/chat": "ChatModel"}


@dataclass(frozen=True)
class Forecast:
    interface: str  # ResponsesAgent, ChatAgent, ChatModel, "pyfunc" (another Python model) or "not an agent"
    outcome: str  # "functions", "adapter", "instance", "registered", or "refused"
    codes: tuple[str, ...] = field(default=())  # the review codes the migration would report, or the refusal's
    reason: str = ""  # why it is refused

    @property
    def summary(self) -> str:
        if self.outcome == "refused":
            return f"refused{' ' + self.codes[0] if self.codes else ''}: {self.reason}"
        review = f", review {' '.join(self.codes)}" if self.codes else ""
        return f"{self.outcome}{review}"


def agent_file_name(mlmodel: dict) -> str | None:
    """The agent file's name at the model root (a model logged from code), from MLmodel."""
    flavor = (mlmodel.get("flavors") or {}).get("python_function") or {}
    code_path = flavor.get("model_code_path") if isinstance(flavor, dict) else None
    return PurePosixPath(str(code_path)).name if code_path else None


# `scan` forecasts endpoints from a thread pool (their downloads overlap); the codemod runs one at a time: CPython
# 3.11 before 3.11.9 can fail ast.parse called from two threads at once ("AST constructor recursion depth
# mismatch"), and a CPU-bound codemod gains nothing from threads anyway.
_CODEMOD = threading.Lock()


def forecast(mlmodel: dict, agent_source: str | None, mode: str = "async",
             environment: dict[str, str] | None = None, gateway: tuple[str, ...] = (),
             input_example: object = None) -> Forecast:
    """The forecast for a model, from its MLmodel (parsed), its agent file's source (None when it has none), the
    environment variables the endpoint sets for it, what its AI Gateway does (endpoint.gateway_features) and its
    input example (parsed; None when it has none or it could not be read)."""
    flavor = (mlmodel.get("flavors") or {}).get("python_function")
    metadata = mlmodel.get("metadata") if isinstance(mlmodel.get("metadata"), dict) else {}
    interface = INTERFACES.get(metadata.get("task"), "pyfunc")
    if not isinstance(flavor, dict):
        return Forecast("not an agent", "refused", reason="no python_function flavor")
    loader = str(flavor.get("loader_module") or "")
    if not loader.startswith("mlflow.pyfunc"):  # mlflow.sklearn, mlflow.transformers, ...: a classic model
        return Forecast("not an agent", "refused", reason=f"a {loader or 'custom'} model, not a Python agent")
    if agent_source is None:
        return Forecast(interface, "refused", reason="a pickled model with no source code: log the agent from code")
    name = agent_file_name(mlmodel) or "agent.py"
    try:
        resources, declared = granted_access(mlmodel)
        with _CODEMOD:
            result = migrate_agent_source(agent_source, name, mode=mode)
    except MigrationError as exc:
        return Forecast(interface, "refused", (exc.code,) if exc.code else (), exc.problem.splitlines()[0])
    if interface == "pyfunc" and result.strategy != "registered":  # logged before MLflow recorded the task
        interface = result.interface
    review = {f.code for f in result.findings if f.kind == "review"} | review_codes(environment or {}, agent_source)
    if gateway:
        review.add("S2A216")  # bundle_config reports each of them
    if input_example is not None and app_request(input_example) is None:
        review.add("S2A141")  # migrate does not copy it for the app's scripts
    scopes, scope_findings = user_api_scopes(declared, resources, result.code)
    review |= {f.code for f in scope_findings + acting_as_user(resources, result.code, bool(scopes))
               if f.kind == "review"}
    return Forecast(interface, result.strategy, tuple(sorted(review)))
