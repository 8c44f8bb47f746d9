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
