"""`serving2apps scan`: the workspace's serving endpoints that serve a custom model, one row each, with a forecast
of their migration read from each model's MLmodel and agent file (downloaded alone; nothing of the model runs).

The endpoint list is one call (the serving-endpoints API does not page); each endpoint's detail and files are read
in a bounded thread pool. An endpoint whose reading fails gets a row that says why; the others go on.
Not listed: endpoints that serve only foundation or external models (there is no agent code to migrate).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from serving2apps.download import mlflow_settings, registry_uri_for, tracking_uri_for
from serving2apps.endpoint import ServedEntity, check_auth, gateway_features, served_entities, workspace_client
from serving2apps.errors import first_line
from serving2apps.forecast import Forecast, agent_file_name, forecast
from serving2apps.recent_callers import DAYS, payload_table, recent_callers, running_warehouse

JOBS = 8  # endpoints read at once: enough to hide latency, few enough for the workspace's rate limits


@dataclass
class EndpointRow:
    endpoint: str
    state: str
    served: list[dict] = field(default_factory=list)  # entity, model, version, traffic (%), kind
    size: str = ""
    interface: str = ""
    outcome: str = ""  # the forecast's strategy, "refused", or "error" (the endpoint could not be read)
    codes: list[str] = field(default_factory=list)
    reason: str = ""
    callers: list[dict] = field(default_factory=list)  # principal, calls, last_call (with --callers)
    callers_note: str = ""  # why there are none to show

    @property
    def forecast(self) -> str:
        if self.outcome == "error":
            return f"error: {self.reason}"
        return Forecast(self.interface, self.outcome, tuple(self.codes), self.reason).summary

    @property
    def is_agent(self) -> bool:
        return self.interface in ("ResponsesAgent", "ChatAgent", "ChatModel")


def _custom(entity: ServedEntity) -> bool:
    return entity.kind is None and bool(entity.model_name)


def _main_entity(entities: list[ServedEntity], traffic: dict[str, int]) -> ServedEntity:
    """The entity a migration would take: the one with most traffic (the first when none is routed)."""
    return max(entities, key=lambda e: (traffic.get(e.name, 0), -entities.index(e)))


def _size(entity: ServedEntity) -> str:
    parts = [entity.workload_size or "", entity.workload_type or ""]
    if entity.max_provisioned_concurrency:
        parts.append(f"{entity.min_provisioned_concurrency or 0}-{entity.max_provisioned_concurrency} concurrent")
    if entity.scale_to_zero_enabled:
        parts.append("scales to zero")
    return ", ".join(p for p in parts if p)


def _state(detail) -> str:
    state = detail.state
    if state is None:
        return "unknown"
    ready = getattr(state.ready, "value", state.ready) or "unknown"
    update = getattr(state.config_update, "value", state.config_update)
    return ready if not update or update == "NOT_UPDATING" else f"{ready} ({update})"


def _model_files(entity: ServedEntity, profile: str | None, folder: Path) -> tuple[dict, str | None, object]:
    """MLmodel (parsed), the agent file's source and the input example (parsed), downloaded alone."""
    import mlflow.artifacts

    base = f"models:/{entity.model_name}/{entity.model_version}"
    uris = {"tracking_uri": tracking_uri_for(profile), "registry_uri": registry_uri_for(entity.model_name, profile)}

    def text(name: str) -> str:
        return Path(mlflow.artifacts.download_artifacts(
            artifact_uri=f"{base}/{name}", dst_path=str(folder), **uris)).read_text(errors="replace")

    mlmodel = yaml.safe_load(text("MLmodel"))
    if not isinstance(mlmodel, dict):
        raise ValueError("MLmodel is not a YAML mapping")
    name = agent_file_name(mlmodel)
    source = None if name is None else text(name)
    example = None
    if isinstance(mlmodel.get("saved_input_example_info"), dict):
        try:
            example = json.loads(text("input_example.json"))
        except Exception:  # noqa: BLE001 - the forecast goes on without it; migrate reads it (and refuses a bad one)
            example = None
    return mlmodel, source, example


def _callers(client, detail, row: EndpointRow, warehouse: str | None) -> None:
    table = payload_table(detail)
    if table is None:
        row.callers_note = "no AI Gateway inference table"
    elif warehouse is None:
        row.callers_note = f"{table} not read: no running SQL warehouse (pass --warehouse-id)"
    else:
        try:
            row.callers = [asdict(c) for c in recent_callers(client, table, warehouse)]
            row.callers_note = "" if row.callers else f"no calls in {DAYS} days"
        except Exception as exc:  # noqa: BLE001 - the listing goes on without this endpoint's callers
            row.callers_note = f"{table} not read: {first_line(exc, 200)}"


def _row(client, name: str, profile: str | None, mode: str, warehouse: str | None | bool) -> EndpointRow | None:
    """`warehouse`: False when callers are not asked for, else the warehouse to read them with (None: none)."""
    try:
        detail = client.serving_endpoints.get(name)
    except Exception as exc:  # noqa: BLE001 - one endpoint's failure is its row, never the whole scan's
        return EndpointRow(name, "unknown", outcome="error", reason=first_line(exc, 200))
    entities, traffic = served_entities(detail)
    custom = [e for e in entities if _custom(e)]
    if not custom:
        return None
    main = _main_entity(custom, traffic)
    row = EndpointRow(name, _state(detail), size=_size(main), served=[
        {"entity": e.name, "model": e.model_name, "version": str(e.model_version or ""),
         "traffic": traffic.get(e.name), "kind": e.kind or "custom model"} for e in entities])
    if warehouse is not False:
        _callers(client, detail, row, warehouse)
    try:
        with tempfile.TemporaryDirectory(prefix="serving2apps-scan-") as folder:
            mlmodel, source, example = _model_files(main, profile, Path(folder))
    except Exception as exc:  # noqa: BLE001 - a model that cannot be read is reported on its row
        row.outcome, row.reason = "error", f"reading {main.model_name} v{main.model_version}: {first_line(exc, 200)}"
        return row
    predicted = forecast(mlmodel, source, mode, main.environment_vars or {}, gateway_features(detail), example)
    row.interface, row.outcome, row.codes, row.reason = (predicted.interface, predicted.outcome,
                                                         list(predicted.codes), predicted.reason)
    return row


def scan(profile: str | None, mode: str = "async", jobs: int = JOBS,
         progress: Callable[[int, int], None] = lambda done, total: None, callers: bool = False,
         warehouse_id: str | None = None) -> list[EndpointRow]:
    """One row per endpoint that serves a custom model, in the workspace's order; with `callers`, who called each
    one recently (from its inference table, through `warehouse_id` or else a running warehouse)."""
    client = workspace_client(profile)
    check_auth(client)
    names = [e.name for e in client.serving_endpoints.list() if e.name]
    warehouse = (warehouse_id or running_warehouse(client)) if callers else False
    rows: list[EndpointRow | None] = []
    with mlflow_settings(tracking_uri_for(profile)), ThreadPoolExecutor(max_workers=jobs) as pool:
        for row in pool.map(lambda n: _row(client, n, profile, mode, warehouse), names):
            rows.append(row)
            progress(len(rows), len(names))
    return [r for r in rows if r is not None]


def _traffic(row: EndpointRow) -> str:
    shown = [f"{s['model']} v{s['version']}" + (f" ({s['traffic']}%)" if len(row.served) > 1 else "")
             for s in row.served if s["kind"] == "custom model"]
    return ", ".join(shown)


def render_table(rows: list[EndpointRow]) -> str:
    header = ("ENDPOINT", "MODEL (TRAFFIC)", "INTERFACE", "SIZE", "STATE", "FORECAST")
    cells = [(r.endpoint, _traffic(r), r.interface or "-", r.size or "-", r.state, r.forecast) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(header[:-1])]
    lines = ["  ".join(text.ljust(width) for text, width in zip(line[:-1], widths)) + "  " + line[-1]
             for line in [header, *cells]]
    agents = sum(r.is_agent for r in rows)
    movable = sum(r.is_agent and r.outcome not in ("refused", "error") for r in rows)
    lines.append(f"\n{len(rows)} endpoint(s) serve a custom model; {agents} serve an agent, {movable} can migrate.")
    asked = [r for r in rows if r.callers or r.callers_note]
    if asked:
        lines.append(f"\nCallers in the last {DAYS} days (from the endpoints' inference tables):")
        for r in asked:
            who = ", ".join(f"{c['principal']} ({c['calls']}, last {c['last_call']})" for c in r.callers)
            lines.append(f"  {r.endpoint}: {who or r.callers_note}")
    return "\n".join(lines)


def render_json(rows: list[EndpointRow]) -> str:
    return json.dumps([{**asdict(r), "forecast": r.forecast} for r in rows], indent=2) + "\n"


def terminal_progress(done: int, total: int) -> None:
    """A progress line on stderr, redrawn in place; nothing when stderr is not a terminal."""
    if sys.stderr.isatty() and not os.environ.get("CI"):
        print(f"\rscanning endpoints: {done}/{total}", end="\n" if done == total else "", file=sys.stderr,
              flush=True)
