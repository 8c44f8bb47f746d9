"""S2A133: on-behalf-of-user clients built per request act with the user's token the app receives.

On Model Serving, a client built inside predict with Model Serving's user credentials acts as the caller. An app
receives the caller's token in the x-forwarded-access-token header instead, and the scaffold's helpers in
`agent_server.utils` build from it (run outside Databricks Apps with no such header, they use your own
credentials, as Model Serving's credentials did outside Model Serving):
- `WorkspaceClient(credentials_strategy=ModelServingUserCredentials())` → `get_user_workspace_client()`;
- `Config(credentials_strategy=ModelServingUserCredentials())` (for a SQL connection, say) →
  `get_user_workspace_client().config`;
- `VectorSearchClient(credential_strategy=CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS, ...)` →
  `VectorSearchClient(**get_user_vector_search_credentials(), ...)`, its other arguments kept.
The imports only the old calls read go. A module that now acts as the user has its `ThreadPoolExecutor`s built
as the scaffold's `ContextThreadPoolExecutor` and its `threading.Thread`s as `ContextThread`: the user's token comes
with the request's context, which a thread the agent starts itself would not see (on Apps the helper would then
refuse).

Deliberately conservative; the call stays as it was, and S2A203 (from the bundle step, which reads the migrated
code) asks a person, when:
- the strategy is built apart from the call (`creds = ModelServingUserCredentials()`), or a workspace client or
  config call passes anything else (a host, a product name): the helper takes nothing, and would drop it;
- a vector search client is also given a workspace, a token, a service principal, positional or `**` arguments:
  the user's credentials would clash with them; or it may outlive the request (built in a cached function or one
  that writes globals, or stored in an attribute or item): it keeps the token it is given, and would act for a
  later request as this request's user (a workspace client reads the token of each request it serves);
- the call is not in a function, or is in `__init__` or `load_context`: that client is built once, not per
  request (Model Serving itself refuses it there: the caller's token only exists during a request);
- the module binds or reads a helper's name already.
Not carried: a class of the agent's that subclasses `threading.Thread` (its own `run` may expect a plain thread),
and threads or pools built in another module.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, QualifiedNameProvider

from serving2apps.codemod.findings import Finding
from serving2apps.codemod.import_changes import ImportChanges
from serving2apps.codemod.name_uses import name_uses
from serving2apps.codemod.names import (CONTEXT_THREAD, CONTEXT_THREAD_POOL, SDK_CONFIGS, THREAD_POOLS, THREADS,
                                        USER_CLIENT_HELPER, USER_CREDENTIALS, USER_VECTOR_SEARCH_HELPER,
                                        VECTOR_SEARCH_CLIENTS, VECTOR_SEARCH_USER_CREDENTIALS, WORKSPACE_CLIENTS)
from serving2apps.codemod.node_search import find_all

CODES = ("S2A133",)

HELPER_MODULE, HELPER = USER_CLIENT_HELPER.rsplit(".", 1)
VECTOR_SEARCH_HELPER = USER_VECTOR_SEARCH_HELPER.rsplit(".", 1)[1]
HELPERS = (HELPER, VECTOR_SEARCH_HELPER)
# What the module builds that runs code in threads of its own, and the scaffold's kind whose threads run it in the
# context of the code that handed it over (the request's headers, where the user's token is).
_CARRIERS = {CONTEXT_THREAD_POOL.rsplit(".", 1)[1]: ("ThreadPoolExecutor", THREAD_POOLS),
             CONTEXT_THREAD.rsplit(".", 1)[1]: ("threading.Thread", THREADS)}
# Built once, when the model loads: no request, so no caller to act as.
_LOAD_TIME = {"__init__", "load_context"}
# A cheap test first: most agent files never mention them, and are not parsed again.
MARKERS = ("ModelServingUserCredentials", "MODEL_SERVING_USER_CREDENTIALS")
# Decorators that keep a function's results for later calls.
_CACHES = {"functools.lru_cache", "functools.cache", "functools.cached_property", "cachetools.cached",
           "cachetools.func.ttl_cache", "cachetools.func.lru_cache"}
# A vector search client given any of these already has credentials, which the user's would clash with.
_VECTOR_SEARCH_CREDENTIALS = {"workspace_url", "personal_access_token", "service_principal_client_id",
                              "service_principal_client_secret", "azure_tenant_id", "azure_login_id"}


def _keywords(call: cst.Call) -> list[str | None]:
    """Each argument's keyword, None for a positional or starred one."""
    return [arg.keyword.value if arg.keyword is not None else None for arg in call.args]


def _stores(assign: cst.Assign) -> bool:
    """The assignment puts its value in an attribute or an item, where it outlives the function."""
    return any(isinstance(t.target, (cst.Attribute, cst.Subscript)) for t in assign.targets)


class _UserClients(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self, carriers: set[str]):
        self.carriers = carriers  # the scaffold's kinds this module's threads and pools are built as
        self.functions: list[str] = []
        self.keeping: list[bool] = []  # per function: whether what it builds may outlive the request (see _keeps)
        self.stored = 0  # depth of assignments to an attribute or item being visited
        self.replaced: list[cst.Call] = []  # the original calls, for the imports they read
        self.where: list[str] = []  # the function each one was in
        self.carried: dict[str, list[cst.Call]] = {}  # per scaffold kind, the threads and pools built as it
        self.written: set[str] = set()  # the scaffold's names the rewritten calls use

    def visit_FunctionDef(self, node):
        self.functions.append(node.name.value)
        self.keeping.append(self._keeps(node))

    def leave_FunctionDef(self, original, updated):
        self.functions.pop()
        self.keeping.pop()
        return updated

    def _keeps(self, fn: cst.FunctionDef) -> bool:
        """The function's results are cached, or it writes module globals: a client it builds may serve later
        requests."""
        decorators = [d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator for d in fn.decorators]
        return any(self._named(d, _CACHES) for d in decorators) or bool(find_all(fn.body, cst.Global))

    def visit_Assign(self, node):
        self.stored += _stores(node)

    def leave_Assign(self, original, updated):
        self.stored -= _stores(original)
        return updated

    def visit_ClassDef(self, node):
        self.functions.append("")  # a class body runs at import, even inside a function

    def leave_ClassDef(self, original, updated):
        self.functions.pop()
        return updated

    def _named(self, node: cst.CSTNode, names: set[str]) -> bool:
        return bool({q.name for q in self.get_metadata(QualifiedNameProvider, node, set())} & names)

    def _user_strategy_only(self, call: cst.Call) -> bool:
        """The call's one argument is credentials_strategy=ModelServingUserCredentials()."""
        if _keywords(call) != ["credentials_strategy"]:
            return False
        strategy = call.args[0].value
        return (isinstance(strategy, cst.Call) and not strategy.args
                and self._named(strategy.func, USER_CREDENTIALS))

    def _vector_search_user_strategy(self, call: cst.Call) -> int | None:
        """Where the call's credential_strategy=CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS argument is, when
        nothing else in the call gives the client credentials."""
        keywords = _keywords(call)
        if None in keywords:  # positional, * or **: which of them are credentials is unknown
            return None
        if set(keywords) & _VECTOR_SEARCH_CREDENTIALS:
            return None
        return next((i for i, (keyword, arg) in enumerate(zip(keywords, call.args)) if keyword == "credential_strategy"
                     and self._named(arg.value, VECTOR_SEARCH_USER_CREDENTIALS)), None)

    def _for_the_user(self, original: cst.Call, updated: cst.Call) -> tuple[cst.BaseExpression, str] | None:
        """What the call becomes on the app, and the scaffold's helper that takes, if it builds a per-request client
        with Model Serving's user credentials."""
        if not self.functions or self.functions[-1] in _LOAD_TIME | {""}:
            return None
        if self._named(original.func, WORKSPACE_CLIENTS) and self._user_strategy_only(original):
            return cst.Call(func=cst.Name(HELPER)), HELPER
        if self._named(original.func, SDK_CONFIGS) and self._user_strategy_only(original):
            return cst.Attribute(value=cst.Call(func=cst.Name(HELPER)), attr=cst.Name("config")), HELPER
        # The vector search client keeps the token it is given, where Model Serving's strategy read the caller's on
        # every call: one that may serve a later request would act for it as this request's user.
        if self._named(original.func, VECTOR_SEARCH_CLIENTS) and not self.keeping[-1] and not self.stored:
            at = self._vector_search_user_strategy(original)
            if at is not None:
                credentials = updated.args[at].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT, star="**",
                                                           value=cst.Call(func=cst.Name(VECTOR_SEARCH_HELPER)))
                return (updated.with_changes(args=[*updated.args[:at], credentials, *updated.args[at + 1:]]),
                        VECTOR_SEARCH_HELPER)
        return None

    def leave_Call(self, original, updated):
        for carrier in self.carriers:
            if self._named(original.func, _CARRIERS[carrier][1]):
                self.carried.setdefault(carrier, []).append(original)
                self.written.add(carrier)
                return updated.with_changes(func=cst.Name(carrier))
        for_the_user = self._for_the_user(original, updated)
        if for_the_user is None:
            return updated
        rewritten, helper = for_the_user
        self.written.add(helper)
        self.replaced.append(original)
        self.where.append(self.functions[-1])
        return rewritten


def user_credentials_left(code: str) -> bool:
    """Whether migrated code still uses Model Serving's on-behalf-of-user credentials (S2A203)."""
    return any(marker in code for marker in MARKERS)


def rewrite_user_clients(source: str, module: cst.Module, filename: str) -> tuple[cst.Module, list[Finding]]:
    """`module` (parsed from `source`) with its per-request user clients built by the helpers, the helpers imported,
    and the imports of the old calls (WorkspaceClient, ModelServingUserCredentials, ...) gone once nothing reads
    them."""
    uses = name_uses(module)
    if not user_credentials_left(source) or any(helper in uses for helper in HELPERS):
        return module, []
    # A module that binds a kind's name itself (langchain_core has a ContextThreadPoolExecutor of its own) keeps
    # its threads or pools of that kind.
    found = _UserClients(carriers={carrier for carrier in _CARRIERS if carrier not in uses})
    rewritten = MetadataWrapper(module, unsafe_skip_copy=True).visit(found)
    if not found.replaced:
        return module, []  # its thread pools see no user's token to carry
    imports = ImportChanges()
    for name in (*HELPERS, *_CARRIERS):
        if name in found.written:
            imports.add(HELPER_MODULE, name)
    for call in [*found.replaced, *(call for calls in found.carried.values() for call in calls)]:
        imports.drop_unused(call)
    functions = ", ".join(dict.fromkeys(found.where))
    carried = " and ".join(f"{len(calls)} {_CARRIERS[carrier][0]}(s) are now {carrier}s"
                           for carrier, calls in found.carried.items())
    threads = f"; its {carried}, whose threads see the request, and so the user's token" if carried else ""
    return imports.apply(rewritten), [Finding(
        "S2A133", f"{len(found.where)} client(s) built with Model Serving's on-behalf-of-user credentials in "
                  f"{functions} now get the user's token Databricks Apps forwards, from "
                  f"{' and '.join(f'{h}()' for h in HELPERS if h in found.written)} ({HELPER_MODULE}){threads}", filename)]
