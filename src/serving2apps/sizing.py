"""The app's size, from how the endpoint was sized (its served entity's workload size, provisioned concurrency
and scaling).

Model Serving sizes CPU endpoints by concurrency (Small: up to 4 concurrent requests, Medium: up to 16, Large: up
to 64, or an explicit min/max provisioned concurrency) and scales replicas, to zero if asked. An app runs a number
of instances (one by default; `compute_min_instances`/`compute_max_instances`, set together) of one compute size
(MEDIUM, the default: 2 vCPUs and 6 GB; LARGE: 4 vCPUs and 12 GB). The async agent server serves many concurrent
requests per core (benchmarks/serving.py), so up to 4 needs no more than the default, more gets LARGE, and each
LARGE instance is counted for 64 concurrent requests, what a whole Large endpoint served. What an app cannot match
(scale to zero, a GPU workload) is reported for a person to weigh. Worker processes follow the vCPUs, fewer when
each would load more of the model's files than the compute's memory holds (the estimate counts every file under
artifacts/ and code/ as loaded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from serving2apps.codemod.findings import Finding

_CONCURRENCY = {"small": 4, "medium": 16, "large": 64}
_PER_LARGE_INSTANCE = 64
_VCPUS = {"MEDIUM": 2, "LARGE": 4, "XLARGE": 8}
# Memory per compute size, and what one worker process takes before the agent loads anything of its own (the agent
# server and MLflow: 230-245 MB peak RSS in benchmarks/serving.py; agents on LangChain take more).
_MEMORY_GB = {"MEDIUM": 6, "LARGE": 12}
_PROCESS_GB = 0.5
_MEMORY_SHARE = 0.8  # the rest for requests' own memory and the platform's
_NEGLIGIBLE_GB = 0.1  # below this, the model's files change nothing
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


def model_gigabytes(root: Path, files: tuple[str, ...]) -> float:
    """What each worker process may hold of the model: its artifacts and code/ files, as agents load them (an index,
    a local embedding model) when they start."""
    return sum((root / f).stat().st_size for f in files if f.startswith(("artifacts/", "code/"))) / 1e9


def workers(compute_size: str | None, state: str | None, model_gb: float = 0.0) -> tuple[int, list[Finding]]:
    """Worker processes for the app: one per vCPU of its compute size, or one when the agent keeps state, and no
    more than the compute's memory holds when each loads the model's files."""
    size = str(compute_size or "MEDIUM").upper()
    if state:
        return 1, [Finding("S2A209", f"one worker process: {state}")]
    count = _VCPUS.get(size, 2)
    memory = _MEMORY_GB.get(size)
    fits = count if memory is None or model_gb < _NEGLIGIBLE_GB else int(
        memory * _MEMORY_SHARE // (_PROCESS_GB + model_gb))
    if fits >= count:
        return count, [Finding("S2A209", f"{count} worker processes, one per vCPU of the app's {size} compute")]
    held = f"each worker process may hold the model's {model_gb:.1f} GB of files, and {size} compute has {memory} GB"
    count = max(1, fits)
    return count, [Finding("S2A209", f"{count} worker process{'es' if count > 1 else ''}: {held}"),
                   *([] if fits else [Finding("S2A215", f"{held}: one process may not fit")])]
