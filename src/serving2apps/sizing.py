"""The app's size, from how the endpoint was sized (its served entity's workload size, provisioned concurrency
and scaling).

Model Serving sizes CPU endpoints by concurrency (Small: up to 4 concurrent requests, Medium: up to 16, Large: up
to 64, or an explicit min/max provisioned concurrency) and scales replicas, to zero if asked. An app runs a number
of instances (one by default; `compute_min_instances`/`compute_max_instances`, set together) of one compute size
(MEDIUM, the default: 2 vCPUs and 6 GB; LARGE: 4 vCPUs and 12 GB). The async agent server serves many concurrent
requests per core (benchmarks/serving.py), so up to 4 needs no more than the default, more gets LARGE, and each
LARGE instance is counted for 64 concurrent requests, what a whole Large endpoint served. What an app cannot match
(scale to zero, a GPU workload) is reported for a person to weigh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from serving2apps.codemod.findings import Finding

_CONCURRENCY = {"small": 4, "medium": 16, "large": 64}
_PER_LARGE_INSTANCE = 64
_VCPUS = {"MEDIUM": 2, "LARGE": 4, "XLARGE": 8}
# In-memory stores that live in one process: with several workers, a conversation's next turn may land in a
# process that never saw the earlier ones.
_IN_PROCESS_STORES = ("MemorySaver", "InMemorySaver", "InMemoryStore", "InMemoryChatMessageHistory")


@dataclass
class AppSize:
    compute_size: str | None = None  # None: the default (MEDIUM) is enough
    instances: tuple[int, int] | None = None  # (min, max); None: the default single instance
    findings: list[Finding] = field(default_factory=list)


def app_size(serving: dict, state: str | None = None) -> AppSize:
    """`serving` is the provenance's source; `state` says why the agent must stay in one process (then one
    instance, whatever the endpoint scaled to)."""
    workload = str(serving.get("workload_size") or "").lower()
    workload_type = str(serving.get("workload_type") or "CPU").upper()
    peak = serving.get("max_provisioned_concurrency") or _CONCURRENCY.get(workload)
    floor = 0 if serving.get("scale_to_zero_enabled") else serving.get("min_provisioned_concurrency") or 0
    size = AppSize()
    if peak is None:
        pass  # a model given by URI or folder: no endpoint, the defaults
    elif peak > _CONCURRENCY["small"]:
        size.compute_size = "LARGE"
        size.findings.append(Finding("S2A207", f"compute_size LARGE, for the endpoint's up to {peak} concurrent "
                                               "requests"))
        most = math.ceil(peak / _PER_LARGE_INSTANCE)
        if most > 1 and state:
            size.findings.append(Finding("S2A208", f"the endpoint served up to {peak} concurrent requests; the "
                                                   f"app is one instance because {state}"))
        elif most > 1:
            size.instances = (max(1, math.ceil(floor / _PER_LARGE_INSTANCE)), most)
            size.findings.append(Finding("S2A207", f"compute_min_instances {size.instances[0]}, "
                                                   f"compute_max_instances {most}, for up to {peak} concurrent "
                                                   f"requests ({_PER_LARGE_INSTANCE} per LARGE instance)"))
    if serving.get("scale_to_zero_enabled"):
        size.findings.append(Finding("S2A208", "the endpoint scaled to zero when idle; the app runs (and is billed) "
                                               "while it is started"))
    if "GPU" in workload_type:
        size.findings.append(Finding("S2A208", f"the endpoint ran on {workload_type} compute; apps have no GPU"))
    return size


def per_process_state(agent_source: str, findings: list[Finding]) -> str | None:
    """Why the agent needs every request in one process (None when it does not)."""
    stores = sorted(name for name in _IN_PROCESS_STORES if name in agent_source)
    if stores:
        return f"it keeps conversations in {', '.join(stores)}, in memory"
    if any(f.code == "S2A130" for f in findings):
        return "it writes per-request state into shared objects (S2A130)"
    return None


def workers(compute_size: str | None, state: str | None) -> tuple[int, Finding]:
    """Worker processes for the app: one per vCPU of its compute size, or one when the agent keeps state."""
    if state:
        return 1, Finding("S2A209", f"one worker process: {state}")
    count = _VCPUS.get(str(compute_size or "MEDIUM").upper(), 2)
    return count, Finding("S2A209", f"{count} worker processes, one per vCPU of the app's "
                                    f"{str(compute_size or 'MEDIUM').upper()} compute")
