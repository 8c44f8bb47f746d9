"""On-behalf-of-user access: the model's API scopes, and the resources it used as the user, → the app's
`user_api_scopes`.

Model Serving takes the scopes of MLflow's UserAuthPolicy (`serving.serving-endpoints`, `sql.statement-execution`,
`vectorsearch.vector-search-indexes`, ...). Databricks Apps accepts a list of its own. The table holds only Apps
scopes seen accepted in Databricks' own app templates (databricks/app-templates, 2026-07: `sql`,
`dashboards.genie`, `files.files`, `serving.serving-endpoints`, `catalog.connections`) and the two Apps grants by
default (`iam.current-user:read`, `iam.access-control:read`). A scope with no Apps equivalent is reported
(S2A210) with the way to do without it, and never written: a deploy asking for a scope Apps does not know fails.

Not handled: which rows or tables the user may see; that stays with Unity Catalog, as it was on the endpoint.
"""

from __future__ import annotations

from serving2apps.codemod.findings import Finding
from serving2apps.codemod.user_clients import HELPERS, VECTOR_SEARCH_HELPER, user_credentials_left
from serving2apps.model_reader import Resource, distinct

_DEFAULTS = ("iam.current-user:read", "iam.access-control:read")
# Model Serving scope → Apps scope.
_APPS_SCOPE = {
    "serving.serving-endpoints": "serving.serving-endpoints",
    "sql": "sql",
    "sql.warehouses": "sql",
    "sql.statement-execution": "sql",
    "dashboards.genie": "dashboards.genie",
    "catalog.connections": "catalog.connections",
    "files.files": "files.files",
    **{scope: scope for scope in _DEFAULTS},
}
# A resource the agent used as the user → the Apps scope that lets the app reach it with the user's token.
_RESOURCE_SCOPE = {
    "serving_endpoint": "serving.serving-endpoints",
    "sql_warehouse": "sql",
    "table": "sql",
    "function": "sql",  # a UC function runs as a SQL statement
    "genie_space": "dashboards.genie",
    "uc_connection": "catalog.connections",
}


def user_api_scopes(declared: tuple[str, ...], resources: tuple[Resource, ...], code: str = ""
                    ) -> tuple[list[str], list[Finding]]:
    """The Apps scopes the app asks users for (in a stable order), and what was mapped or left out, from the scopes
    the model declared, the resources it was logged with and its migrated code."""
    scopes: dict[str, str] = {}  # Apps scope → what asked for it
    findings = []
    for scope in declared:
        mapped = _APPS_SCOPE.get(scope)
        if mapped is None:
            findings.append(Finding("S2A210", f"the model's scope {scope} has no Databricks Apps scope"))
        else:
            scopes.setdefault(mapped, f"scope {scope}")
    for resource in resources:
        if not resource.on_behalf_of_user:
            continue
        mapped = _RESOURCE_SCOPE.get(resource.type)
        if mapped is None:
            findings.append(Finding("S2A210", f"{resource.type} {resource.name} was used on behalf of the user, "
                                              "which no Databricks Apps scope allows"))
        else:
            scopes.setdefault(mapped, f"{resource.type} {resource.name}")
    if VECTOR_SEARCH_HELPER in code and not any("vector" in f.message for f in findings):
        # A model that declared no vector search scope, whose migrated client still acts as the user.
        findings.append(Finding("S2A210", f"the agent's vector search client acts as the user "
                                          f"({VECTOR_SEARCH_HELPER}()), which no Databricks Apps scope allows"))
    chosen = [scope for scope in scopes if scope not in _DEFAULTS]  # Apps grants those without asking
    if chosen:
        findings.append(Finding("S2A201", "user_api_scopes: " + ", ".join(f"{s} (for {scopes[s]})" for s in chosen)))
    return chosen, findings


def acting_as_user(resources: tuple[Resource, ...], code: str, scopes_asked: bool) -> list[Finding]:
    """What the agent did as its caller on Model Serving that the app, as migrated, cannot (S2A203): resources it
    used on behalf of the user (the app reaches them with its own grants or a user scope, never both), clients still
    built with Model Serving's user credentials, and the app's user helpers with no user scope asked for (`code` is
    the migrated code; `scopes_asked`, whether the app asks users for any scope)."""
    findings = [Finding("S2A203", f"{r.type} {r.name} was used on behalf of the user")
                for r in distinct(resources) if r.on_behalf_of_user]
    if user_credentials_left(code):
        findings.append(Finding("S2A203", "the agent builds clients with Model Serving's on-behalf-of-user "
                                          "credentials (ModelServingUserCredentials, or the vector search client's "
                                          "CredentialStrategy.MODEL_SERVING_USER_CREDENTIALS), which an app does "
                                          "not have"))
    helpers = [helper for helper in HELPERS if helper in code]
    if helpers and not scopes_asked:
        # Without user_api_scopes Databricks Apps forwards no user token, so the helpers refuse every request.
        findings.append(Finding("S2A203", f"the agent acts on behalf of the user ({', '.join(helpers)}), but "
                                          "the model declared no user scopes: add the ones it needs to "
                                          "user_api_scopes"))
    return findings
