"""Request helpers for the agent: who is asking, and in which conversation."""

import contextvars
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from databricks.sdk import WorkspaceClient
from databricks.sdk.credentials_provider import CredentialsStrategy
from mlflow.genai.agent_server import get_request_headers
from mlflow.types.responses import ResponsesAgentRequest

# Keys under which clients pass a conversation id, most specific first.
_SESSION_KEYS = ("thread_id", "conversation_id", "session_id")


def get_session_id(request: ResponsesAgentRequest) -> str | None:
    """The conversation this request belongs to, from custom_inputs or the request context."""
    custom_inputs = request.custom_inputs or {}
    for key in _SESSION_KEYS:
        if custom_inputs.get(key):
            return str(custom_inputs[key])
    context = request.context
    if context is not None and context.conversation_id:
        return context.conversation_id
    return None


def get_user_id(request: ResponsesAgentRequest) -> str | None:
    """The end user, from custom_inputs or the request context."""
    custom_inputs = request.custom_inputs or {}
    if custom_inputs.get("user_id"):
        return str(custom_inputs["user_id"])
    context = request.context
    if context is not None and context.user_id:
        return context.user_id
    return None


def get_user_workspace_client() -> WorkspaceClient:
    """A WorkspaceClient that acts as the user who sent the current request (on-behalf-of-user).

    Databricks Apps forwards the user's token in the x-forwarded-access-token header when the app declares
    user_api_scopes. The client is scoped to those scopes; use the app's own WorkspaceClient() for
    everything the app itself is allowed to do. Each call the client makes reads the token of the request being
    served then, as ModelServingUserCredentials did on Model Serving: a client kept past one request acts as the
    user of the request that uses it, never as an earlier one. Run elsewhere (`uv run start-app` on your machine,
    the tests), no proxy forwards a user's token, and the client acts as you, with your own credentials, as
    ModelServingUserCredentials did outside Model Serving.
    """
    if get_request_headers().get("x-forwarded-access-token") or os.environ.get("DATABRICKS_APP_NAME"):
        # On Databricks Apps a request without a token fails here, never as the app's own identity. The token and
        # auth_type="pat" are for what reads them from the client's config (the vector search retriever tools
        # take this request's token from them) and keep the SDK from also picking up the app's own client id and
        # secret from the environment; the client's own calls read the token of the request that makes them.
        token = _forwarded_token()
        return WorkspaceClient(host=os.environ.get("DATABRICKS_HOST"), token=token, auth_type="pat",
                               credentials_strategy=_ForwardedUserToken(token))
    return WorkspaceClient()


def get_user_vector_search_credentials() -> dict[str, str | None]:
    """workspace_url= and personal_access_token= for a VectorSearchClient that acts as the user who sent the
    current request: `VectorSearchClient(**get_user_vector_search_credentials(), ...)`.

    On Model Serving, CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS did this. The vector search client keeps
    the token it is given: build it per request, never keep it for the next one. Run elsewhere with credentials that
    are not a token (a CLI login), the token is None and the vector search client finds your credentials itself.
    """
    config = get_user_workspace_client().config
    return {"workspace_url": config.host, "personal_access_token": config.token}


def _forwarded_token(headers: dict[str, str] | None = None) -> str:
    token = (get_request_headers() if headers is None else headers).get("x-forwarded-access-token")
    if not token:
        raise PermissionError(
            "This request carries no x-forwarded-access-token header: on-behalf-of-user access needs "
            "user_api_scopes on the app in databricks.yml, and a request that comes through Databricks Apps."
        )
    return token


class _ForwardedUserToken(CredentialsStrategy):
    """Authenticates each call with the forwarded token of the request being served when the call is made. A thread
    that carries no request at all (one the agent or a library started itself) uses the token of the request that
    built the client, which handed it there."""

    def __init__(self, built_with: str):
        self._built_with = built_with

    def auth_type(self) -> str:
        return "pat"  # a bearer token, as a personal access token is; what reads the config's token keys on this

    def __call__(self, cfg):
        def headers() -> dict[str, str]:
            request = get_request_headers()
            return {"Authorization": f"Bearer {_forwarded_token(request) if request else self._built_with}"}

        return headers


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A ThreadPoolExecutor whose tasks run in the context of the code that submitted them: a task the agent hands
    to a thread of its own still sees the request's headers (so get_user_workspace_client() acts as the request's
    user) and MLflow's current span."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


class ContextThread(threading.Thread):
    """A Thread whose target runs in the context of the code that started it, as ContextThreadPoolExecutor's tasks
    do: the request's headers (and so the user's token) and MLflow's current span reach the thread."""

    def start(self):
        self._started_in = contextvars.copy_context()
        super().start()

    def run(self):
        self._started_in.run(super().run)
