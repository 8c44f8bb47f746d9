"""Resolves a Model Serving endpoint to the registered model version that serves its traffic.

Uses databricks-sdk: the current-user API first (so a bad profile fails before anything else), then
serving_endpoints.get. Handles served_entities and the legacy served_models shape, traffic splits, and
endpoints with no custom MLflow model behind them (foundation or external models), which are refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config
from databricks.sdk.errors import DatabricksError, NotFound, PermissionDenied, Unauthenticated

from serving2apps.environment_secrets import safe_environment
from serving2apps.errors import MigrationError, first_line
from serving2apps.recent_callers import payload_table_parts



@dataclass(frozen=True)
class ServedModel:
    """The custom model behind one served entity of an endpoint."""

    host: str
    endpoint: str
    served_entity: str
    model_name: str
    model_version: str
    traffic_percentage: int | None
    environment_vars: dict[str, str]  # secret references kept, sensitive plain values redacted
    workload_size: str | None
    workload_type: str | None
    scale_to_zero_enabled: bool | None
    min_provisioned_concurrency: int | None = None
    max_provisioned_concurrency: int | None = None
    gateway: tuple[str, ...] = ()  # what the endpoint's AI Gateway (or auto capture) did for its callers

    @property
    def model_uri(self) -> str:
        return f"models:/{self.model_name}/{self.model_version}"



def describe(client: WorkspaceClient) -> str:
    profile = client.config.profile or "DEFAULT"
    return f"profile {profile} ({client.config.host or 'no host'})"


# The SDK's own defaults (60 s per request, 300 s of retries) keep a user facing an unreachable workspace
# waiting for minutes. The budget applies twice before the first answer (the SDK's host-metadata probe while
# the client is configured, then our authentication check), so an unreachable host fails in about a minute.
DEFAULT_HTTP_TIMEOUT_SECONDS = 10.0
DEFAULT_RETRY_TIMEOUT_SECONDS = 20


def _timeouts() -> dict:
    """Per-request and overall retry budgets; the SDK reads neither from the environment, so these variables
    are ours."""
    budgets: dict = {"http_timeout_seconds": DEFAULT_HTTP_TIMEOUT_SECONDS,
                     "retry_timeout_seconds": DEFAULT_RETRY_TIMEOUT_SECONDS}
    for variable, key, kind in (("SERVING2APPS_HTTP_TIMEOUT_SECONDS", "http_timeout_seconds", float),
                                ("SERVING2APPS_RETRY_TIMEOUT_SECONDS", "retry_timeout_seconds", int)):
        if os.environ.get(variable):
            try:
                budgets[key] = kind(os.environ[variable])
            except ValueError:
                raise MigrationError(f"{variable}={os.environ[variable]!r} is not a number of seconds",
                                     f"set {variable} to a number, or unset it") from None
    return budgets


def workspace_client(profile: str | None) -> WorkspaceClient:
    """A client for the profile; with no profile, the SDK's own default (environment, then DEFAULT)."""
    try:
        config = Config(profile=profile, **_timeouts()) if profile else Config(**_timeouts())
        return WorkspaceClient(config=config)
    except (ValueError, DatabricksError) as exc:
        name = profile or "DEFAULT"
        raise MigrationError(
            f"cannot configure Databricks authentication for profile {name}: {first_line(exc)}",
            f"run `databricks auth login --profile {name}` (or check ~/.databrickscfg), then try again",
        ) from None


def check_auth(client: WorkspaceClient) -> str:
    """The current user's name; fails first and clearly when the profile cannot authenticate."""
    try:
        me = client.current_user.me()
    except (Unauthenticated, PermissionDenied) as exc:
        raise MigrationError(
            f"authentication failed for {describe(client)}: {first_line(exc)}",
            f"run `databricks auth login --profile {client.config.profile or 'DEFAULT'}`, then try again",
        ) from None
    except (DatabricksError, ValueError, OSError) as exc:
        raise MigrationError(
            f"cannot reach the workspace for {describe(client)}: {first_line(exc)}",
            "check the host in ~/.databrickscfg and your network (VPN, proxy), then try again; "
            f"SERVING2APPS_HTTP_TIMEOUT_SECONDS and SERVING2APPS_RETRY_TIMEOUT_SECONDS set the time budget "
            f"(now {client.config.http_timeout_seconds:g} s per request, {client.config.retry_timeout_seconds} s in all)",
        ) from None
    return me.user_name or me.id or "unknown user"


@dataclass(frozen=True)
class ServedEntity:
    name: str
    model_name: str | None
    model_version: str | None
    kind: str | None  # "foundation model" / "external model" when there is no custom model
    environment_vars: dict | None
    workload_size: str | None
    workload_type: str | None
    scale_to_zero_enabled: bool | None
    min_provisioned_concurrency: int | None
    max_provisioned_concurrency: int | None


def served_entities(detail) -> tuple[list[ServedEntity], dict[str, int]]:
    """An endpoint's served entities (its live config, else the pending one) and their traffic percentages."""
    config = detail.config or detail.pending_config
    entities = _entities(config) if config else []
    traffic = {}
    routes = getattr(getattr(config, "traffic_config", None), "routes", None) or []
    for route in routes:
        traffic[route.served_entity_name or route.served_model_name] = route.traffic_percentage
    return entities, traffic


def _entities(config) -> list[ServedEntity]:
    found = []
    for se in getattr(config, "served_entities", None) or []:
        kind = "external model" if se.external_model else "foundation model" if se.foundation_model else None
        found.append(
            ServedEntity(se.name, se.entity_name, se.entity_version, kind, se.environment_vars, se.workload_size,
                    _enum_value(se.workload_type), se.scale_to_zero_enabled, se.min_provisioned_concurrency,
                    se.max_provisioned_concurrency)
        )
    if found:
        return found
    # Endpoints created before served_entities existed describe their models as served_models.
    for sm in getattr(config, "served_models", None) or []:
        found.append(
            ServedEntity(sm.name, sm.model_name, sm.model_version, None, sm.environment_vars, sm.workload_size,
                    _enum_value(sm.workload_type), sm.scale_to_zero_enabled, sm.min_provisioned_concurrency,
                    sm.max_provisioned_concurrency)
        )
    return found


def _enum_value(value) -> str | None:
    return getattr(value, "value", value)


def resolve_endpoint(client: WorkspaceClient, endpoint: str, served_entity: str | None = None) -> ServedModel:
    try:
        detail = client.serving_endpoints.get(endpoint)
    except NotFound:
        raise MigrationError(
            f"no serving endpoint named {endpoint!r} in {describe(client)}",
            f"check the name with `databricks serving-endpoints list --profile {client.config.profile or 'DEFAULT'}`",
        ) from None
    except PermissionDenied as exc:
        raise MigrationError(
            f"no permission to read serving endpoint {endpoint!r}: {first_line(exc)}",
            "ask the endpoint's owner for CAN_QUERY or CAN_MANAGE on it",
        ) from None
    except (DatabricksError, TimeoutError, OSError) as exc:
        raise MigrationError(
            f"reading serving endpoint {endpoint!r} failed: {first_line(exc)}",
            "the SDK retried until its time budget ran out: check the workspace's status and your network, then "
            "try again (SERVING2APPS_HTTP_TIMEOUT_SECONDS / SERVING2APPS_RETRY_TIMEOUT_SECONDS raise the budgets)",
        ) from None

    entities, traffic = served_entities(detail)
    if not entities:
        raise MigrationError(
            f"serving endpoint {endpoint!r} has no served model yet (it may still be being created)",
            "wait until the endpoint is READY, then try again",
        )

    chosen = _choose(endpoint, entities, traffic, served_entity)
    if chosen.kind or not chosen.model_name or not chosen.model_version:
        raise MigrationError(
            f"served entity {chosen.name!r} of endpoint {endpoint!r} serves a {chosen.kind or 'model with no version'}"
            f" ({chosen.model_name}), not a custom MLflow agent, so there is no agent code to migrate",
            "point serving2apps at the endpoint that serves your ResponsesAgent; a foundation model is used "
            "from the app directly as a serving_endpoint resource",
        )
    return ServedModel(
        host=client.config.host,
        endpoint=endpoint,
        served_entity=chosen.name,
        model_name=chosen.model_name,
        model_version=str(chosen.model_version),
        traffic_percentage=traffic.get(chosen.name),
        environment_vars=safe_environment(chosen.environment_vars),
        workload_size=chosen.workload_size,
        workload_type=chosen.workload_type,
        scale_to_zero_enabled=chosen.scale_to_zero_enabled,
        min_provisioned_concurrency=chosen.min_provisioned_concurrency,
        max_provisioned_concurrency=chosen.max_provisioned_concurrency,
        gateway=gateway_features(detail),
    )


def gateway_features(detail) -> tuple[str, ...]:
    """What the endpoint did for every call besides running the model, which an app does not: its AI Gateway's
    inference table, rate limits, guardrails and usage tracking, and a legacy auto-capture inference table."""
    features = []
    gateway = getattr(detail, "ai_gateway", None)
    capture = detail.config.auto_capture_config if detail.config else None
    for config, how in ((getattr(gateway, "inference_table_config", None), ""), (capture, " (auto capture)")):
        if (table := payload_table_parts(config, detail.name)) is not None:
            features.append(f"logged every request and answer to the inference table {'.'.join(table)}{how}")
    if gateway is not None and gateway.rate_limits:
        limits = ", ".join(f"{limit.calls or limit.tokens} {'calls' if limit.calls else 'tokens'} per "
                           f"{_enum_value(limit.renewal_period) or 'period'}"
                           f"{' per ' + str(_enum_value(limit.key)) if limit.key else ''}"
                           for limit in gateway.rate_limits)
        features.append(f"rate-limited its callers ({limits})")
    guardrails = getattr(gateway, "guardrails", None)
    if guardrails is not None and (guardrails.input or guardrails.output):
        sides = " and ".join(side for side, on in (("requests", guardrails.input), ("answers", guardrails.output))
                             if on)
        features.append(f"applied AI Gateway guardrails to {sides}")
    if getattr(getattr(gateway, "usage_tracking_config", None), "enabled", False):
        features.append("tracked usage per caller (system.serving.endpoint_usage)")
    return tuple(features)


def _choose(endpoint: str, entities: list[ServedEntity], traffic: dict, wanted: str | None) -> ServedEntity:
    by_name = {e.name: e for e in entities}
    listing = "; ".join(
        f"{e.name} ({e.model_name or e.kind} v{e.model_version or '-'}, {traffic.get(e.name, 0)}% of traffic)"
        for e in entities
    )
    if wanted:
        if wanted not in by_name:
            raise MigrationError(
                f"endpoint {endpoint!r} has no served entity {wanted!r}; it has: {listing}",
                "pass one of those names to --served-entity",
            )
        return by_name[wanted]
    if len(entities) == 1:
        return entities[0]
    live = [e for e in entities if traffic.get(e.name, 0) > 0]
    if len(live) == 1:
        return live[0]
    raise MigrationError(
        f"endpoint {endpoint!r} splits its traffic between several served entities: {listing}",
        "choose the one to migrate with --served-entity NAME",
    )
