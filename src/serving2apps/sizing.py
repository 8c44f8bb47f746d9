"""The app's size, from how the endpoint was sized (its served entity's workload size and scaling).

Model Serving sizes CPU endpoints by concurrency (Small: up to 4 concurrent requests, Medium: up to 16, Large: up
to 64) and scales replicas, to zero if asked. An app is one always-on instance of a compute size (MEDIUM, the
default: 2 vCPUs and 6 GB; LARGE: 4 vCPUs and 12 GB). The async agent server serves many concurrent requests
per core, so Small needs no more than the default, and anything larger gets LARGE. What an app cannot match
(scale to zero, a GPU workload, Large's replica fan-out) is reported for a person to weigh.
"""

from __future__ import annotations

from serving2apps.codemod.findings import Finding

_SIZES = {"small": None, "medium": "LARGE", "large": "LARGE"}  # None: the default (MEDIUM) is enough
_CONCURRENCY = {"small": 4, "medium": 16, "large": 64}
_VCPUS = {"MEDIUM": 2, "LARGE": 4, "XLARGE": 8}
# In-memory stores that live in one process: with several workers, a conversation's next turn may land in a
# process that never saw the earlier ones.
_IN_PROCESS_STORES = ("MemorySaver", "InMemorySaver", "InMemoryStore", "InMemoryChatMessageHistory")


def app_size(serving: dict) -> tuple[str | None, list[Finding]]:
    """(compute_size to write, or None for the default; findings). `serving` is the provenance's source."""
    workload = str(serving.get("workload_size") or "").lower()
    workload_type = str(serving.get("workload_type") or "CPU").upper()
    findings = []
    size = _SIZES.get(workload)
    if size:
        findings.append(Finding("S2A207", f"compute_size {size}, for the endpoint's {workload.title()} workload "
                                          f"(up to {_CONCURRENCY[workload]} concurrent requests)"))
    if workload == "large":
        findings.append(Finding("S2A208", "the endpoint scaled to 64 concurrent requests over several replicas; "
                                          "the app is one LARGE instance"))
    if serving.get("scale_to_zero_enabled"):
        findings.append(Finding("S2A208", "the endpoint scaled to zero when idle; the app runs (and is billed) "
                                          "while it is started"))
    if "GPU" in workload_type:
        findings.append(Finding("S2A208", f"the endpoint ran on {workload_type} compute; apps have no GPU"))
    return size, findings


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
