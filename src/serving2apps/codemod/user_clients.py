"""S2A133: an on-behalf-of-user WorkspaceClient built per request acts with the user's token the app receives.

On Model Serving, `WorkspaceClient(credentials_strategy=ModelServingUserCredentials())` built inside predict acts
as the caller. An app receives the caller's token in the x-forwarded-access-token header instead, and the
scaffold's `agent_server.utils.get_user_workspace_client()` builds the client from it (run outside Databricks
Apps with no such header, it uses your own credentials, as ModelServingUserCredentials did outside Model
Serving), so the call becomes `get_user_workspace_client()` and the imports it no longer needs go.

Deliberately conservative; the call stays as it was, and S2A203 (from the bundle step, which reads the migrated
code) asks a person, when:
- the strategy is built apart from the call (`creds = ModelServingUserCredentials()`), or the call passes
  anything else (a host, a config, a product name): the helper takes nothing, and would drop it;
- the call is not in a function, or is in `__init__` or `load_context`: that client is built once, not per
  request (Model Serving itself refuses it there: the caller's token only exists during a request);
- the module binds or reads the name `get_user_workspace_client` already;
- the vector search client's `CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS`: that client takes the user's
  token another way (`workspace_url=`, `personal_access_token=`).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, QualifiedNameProvider

from serving2apps.codemod.findings import Finding
from serving2apps.codemod.import_changes import ImportChanges
from serving2apps.codemod.name_uses import name_uses
from serving2apps.codemod.names import USER_CLIENT_HELPER, USER_CREDENTIALS, WORKSPACE_CLIENTS

CODES = ("S2A133",)

HELPER_MODULE, HELPER = USER_CLIENT_HELPER.rsplit(".", 1)
# Built once, when the model loads: no request, so no caller to act as.
_LOAD_TIME = {"__init__", "load_context"}
# A cheap test first: most agent files never mention it, and are not parsed again.
_MARKER = "ModelServingUserCredentials"
MARKERS = (_MARKER,)
# The vector search client's own way to act as the caller on Model Serving; not rewritten, reported (S2A203).
_VECTOR_SEARCH_MARKER = "MODEL_SERVING_USER_CREDENTIALS"


class _UserClients(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self):
        self.functions: list[str] = []
        self.replaced: list[cst.Call] = []  # the original calls, for the imports they read
        self.where: list[str] = []  # the function each one was in

    def visit_FunctionDef(self, node):
        self.functions.append(node.name.value)

    def leave_FunctionDef(self, original, updated):
        self.functions.pop()
        return updated

    def visit_ClassDef(self, node):
        self.functions.append("")  # a class body runs at import, even inside a function

    def leave_ClassDef(self, original, updated):
        self.functions.pop()
        return updated

    def _named(self, node: cst.CSTNode, names: set[str]) -> bool:
        return bool({q.name for q in self.get_metadata(QualifiedNameProvider, node, set())} & names)

    def _per_request_user_client(self, call: cst.Call) -> bool:
        if not self.functions or self.functions[-1] in _LOAD_TIME | {""}:
            return False
        if not self._named(call.func, WORKSPACE_CLIENTS) or len(call.args) != 1:
            return False
        arg = call.args[0]
        strategy = arg.value
        return (arg.keyword is not None and arg.keyword.value == "credentials_strategy"
                and isinstance(strategy, cst.Call) and not strategy.args
                and self._named(strategy.func, USER_CREDENTIALS))

    def leave_Call(self, original, updated):
        if not self._per_request_user_client(original):
            return updated
        self.replaced.append(original)
        self.where.append(self.functions[-1])
        return cst.Call(func=cst.Name(HELPER))


def user_credentials_left(code: str) -> bool:
    """Whether migrated code still uses Model Serving's on-behalf-of-user credentials (S2A203)."""
    return _MARKER in code or _VECTOR_SEARCH_MARKER in code


def rewrite_user_clients(source: str, module: cst.Module, filename: str) -> tuple[cst.Module, list[Finding]]:
    """`module` (parsed from `source`) with its per-request user clients from the helper, the helper imported, and
    WorkspaceClient's and ModelServingUserCredentials' imports gone once nothing reads them."""
    if _MARKER not in source or HELPER in name_uses(module):
        return module, []
    found = _UserClients()
    module = MetadataWrapper(module, unsafe_skip_copy=True).visit(found)
    if not found.replaced:
        return module, []
    imports = ImportChanges()
    imports.add(HELPER_MODULE, HELPER)
    for call in found.replaced:
        imports.drop_unused(call)
    functions = ", ".join(dict.fromkeys(found.where))
    return imports.apply(module), [Finding(
        "S2A133", f"{len(found.where)} WorkspaceClient(credentials_strategy=ModelServingUserCredentials()) call(s) in "
                  f"{functions} now get the client from {HELPER}() ({HELPER_MODULE}), which acts with the user's "
                  "token Databricks Apps forwards", filename)]
