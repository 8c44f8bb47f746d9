"""Who called an endpoint recently, from its AI Gateway inference table (`<catalog>.<schema>.<prefix>_payload`,
whose `requester` column names the user or service principal of each call), through a SQL warehouse.

Not handled: endpoints that log to a legacy inference table (auto capture, which records no requester) or to none;
their rows say so. Only a running warehouse is used unless one is named: scanning must not start (and bill) one.
"""

from __future__ import annotations

from dataclasses import dataclass

from serving2apps.errors import first_line

DAYS = 30
LIMIT = 20


@dataclass(frozen=True)
class Caller:
    principal: str
    calls: int
    last_call: str


def payload_table_parts(config, endpoint: str) -> tuple[str, str, str] | None:
    """Catalog, schema and table of the payload table an inference table config (AI Gateway's, or the legacy auto
    capture's, which have the same fields) logs to, or None when it logs nowhere."""
    if config is None or config.enabled is False or not (config.catalog_name and config.schema_name):
        return None
    return config.catalog_name, config.schema_name, f"{config.table_name_prefix or endpoint}_payload"


def payload_table(detail) -> str | None:
    """The endpoint's AI Gateway payload table, quoted for SQL, when it logs to one."""
    parts = payload_table_parts(getattr(getattr(detail, "ai_gateway", None), "inference_table_config", None),
                                detail.name)
    return None if parts is None else ".".join("`" + part.replace("`", "``") + "`" for part in parts)


def running_warehouse(client) -> str | None:
    for warehouse in client.warehouses.list():
        if getattr(warehouse.state, "value", warehouse.state) == "RUNNING":
            return warehouse.id
    return None


def recent_callers(client, table: str, warehouse_id: str) -> list[Caller]:
    """The principals that called the endpoint in the last DAYS days, most calls first."""
    statement = (f"SELECT requester, COUNT(*) AS calls, CAST(MAX(request_time) AS STRING) AS last_call FROM {table} "
                 f"WHERE request_time >= current_timestamp() - INTERVAL {DAYS} DAYS GROUP BY requester "
                 f"ORDER BY calls DESC LIMIT {LIMIT}")
    response = client.statement_execution.execute_statement(statement=statement, warehouse_id=warehouse_id,
                                                             wait_timeout="30s")
    state = getattr(response.status.state, "value", response.status.state) if response.status else None
    if state != "SUCCEEDED":
        error = response.status.error.message if response.status and response.status.error else state
        raise RuntimeError(f"the query on {table} did not succeed: {first_line(str(error), 200)}")
    rows = (response.result.data_array if response.result else None) or []
    return [Caller(str(r[0] or "unknown"), int(r[1] or 0), str(r[2] or "")) for r in rows]
