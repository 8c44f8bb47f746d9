"""How long migration takes: `serving2apps migrate` (no download, no uv sync) on the example, the codemod on
every fixture, and `serving2apps init --example` end to end. Peak memory of the tool is reported too.

    uv run --frozen python benchmarks/migrate_speed.py

Writes benchmarks/results/migrate_speed.json and prints a table. Not part of the test run.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASE_DIRS = [ROOT / "tests" / "codemod" / "cases", ROOT / "tests" / "codemod" / "async_cases"]
RESULTS = HERE / "results"


# Runs the CLI in a child and prints its peak RSS (itself and its own children) as the last stderr line.
MEASURED_CLI = """
import resource, sys
from serving2apps.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(f"peak_rss_kb={peak}", file=sys.stderr)
sys.exit(code)
"""


# As installed for a user: pip compiles bytecode at install time and Python caches what it compiles, so a run
# that compiled every module it imports (~0.6 s here) measures the environment, not the tool.
CLI_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_installed() -> None:
    """What pip does at install time (uv on first import): the tool's modules and its dependencies as bytecode."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", sysconfig.get_paths()["purelib"],
                    str(ROOT / "src")], check=False, capture_output=True)


def timed_command(arguments: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one CLI run in a fresh process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED_CLI, *arguments], cwd=cwd, capture_output=True, text=True,
                          env=CLI_ENV)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"serving2apps {' '.join(arguments)} failed:\n{done.stderr[-2000:]}")
    peak_kb = int(done.stderr.rsplit("peak_rss_kb=", 1)[1].split()[0])
    return wall, peak_kb / 1024


def codemod_times(repeats: int = 5) -> list[dict]:
    from serving2apps.codemod.agent_file import migrate_agent_source

    rows = []
    for folder in CASE_DIRS:
        for case in sorted(folder.glob("*.in.py")):
            source = case.read_text()
            if "# expect: refused" in source:
                continue  # refusals stop early and say nothing about the codemod's speed
            for mode in ("sync", "async"):
                times = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    migrate_agent_source(source, "agent.py", mode=mode)
                    times.append(time.perf_counter() - start)
                rows.append({"case": f"{folder.name}/{case.name[:-6]}", "mode": mode, "lines": source.count("\n"),
                             "median_ms": round(1000 * statistics.median(times), 1)})
    return rows


LARGE_ARTIFACT_BYTES = 1024 ** 3


def migrate_with_large_artifact(work: Path, app: Path) -> tuple[float, float]:
    """`migrate` of the example with a 1 GiB artifact added (random bytes, so nothing compresses or dedupes):
    memory must stay flat, since artifacts are streamed, never held."""
    artifacts = work / "original_mlflow_model" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with (artifacts / "weights.bin").open("wb") as f:
        for _ in range(LARGE_ARTIFACT_BYTES // (64 * 1024 * 1024)):
            f.write(os.urandom(64 * 1024 * 1024))
    return timed_command(["migrate", "--app-dir", str(app), "--force"], work)


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="serving2apps-speed-"))
    try:
        compile_installed()
        init_wall, init_rss = timed_command(["init", "--example", "--app-name", "speed-agent", "--yes",
                                             "--engine", "copier", "--output-dir", str(work)], work)
        app = work / "speed-agent"
        migrate_runs = []
        # The first run in a mode changes the app's dependencies, so uv re-resolves what changed; the runs after it
        # are a user migrating again with the same inputs (the previous uv.lock still fits).
        for mode in ("sync", "sync", "sync", "async", "async", "async"):
            first = not migrate_runs or migrate_runs[-1]["mode"] != mode
            wall, rss = timed_command(["migrate", "--app-dir", str(app), "--mode", mode, "--force"], work)
            migrate_runs.append({"mode": mode, "first_in_mode": first, "wall_s": round(wall, 3),
                                 "peak_rss_mb": round(rss, 1)})
        large_wall, large_rss = migrate_with_large_artifact(work, app)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = codemod_times()
    summary = {
        "cores": os.cpu_count(),
        "init_example_wall_s": round(init_wall, 2),
        "init_example_peak_rss_mb": round(init_rss, 1),
        "migrate_example": migrate_runs,
        "migrate_example_median_s": round(statistics.median(r["wall_s"] for r in migrate_runs
                                                            if not r["first_in_mode"]), 3),
        "migrate_example_first_in_mode_s": [r["wall_s"] for r in migrate_runs if r["first_in_mode"]],
        "codemod_median_ms_per_file": round(statistics.median(r["median_ms"] for r in rows), 1),
        "codemod_max_ms_per_file": max(r["median_ms"] for r in rows),
        "migrate_1gib_artifact_wall_s": round(large_wall, 2),
        "migrate_1gib_artifact_peak_rss_mb": round(large_rss, 1),
    }
    (RESULTS / "migrate_speed.json").write_text(json.dumps({"summary": summary, "codemod": rows}, indent=2) + "\n")
    print("| measure | value |\n|---|---|")
    for key, value in summary.items():
        if key != "migrate_example":
            print(f"| {key} | {value} |")
    print(f"| migrate peak RSS MB (max) | {max(r['peak_rss_mb'] for r in migrate_runs)} |")
    slowest = sorted(rows, key=lambda r: -r["median_ms"])[:5]
    print("\nslowest codemod files:")
    for r in slowest:
        print(f"  {r['case']} ({r['mode']}, {r['lines']} lines): {r['median_ms']} ms")


if __name__ == "__main__":
    main()
