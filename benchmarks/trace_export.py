"""What a trace costs the app's process in CPU, with MLflow's own export path, at a rate the trace store keeps up with.

    uv run --frozen python benchmarks/trace_export.py [--traces 300] [--rate 20] [--export-threads 10 1]

A child process sets tracing up the way the migrated app's server does (the rendered scaffold's
`agent_server.start_server`: the experiment looked up once, MLflow's notebook probes off), then makes one-span traces at a fixed rate
and waits until MLflow has exported them all to a local `mlflow server` (sqlite, over HTTP). Reported per trace:
the child's CPU, the calls the tracking server received, and the traces it recorded. serving.py measures the same
cost inside the served app (the traced form at one client); this isolates MLflow's exporter and its settings.
Writes benchmarks/results/trace_export.json. Not part of the test run.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from serving2apps.init import render_scaffold  # noqa: E402
from mlflow_registry import running_mlflow_server  # noqa: E402

RESULTS = HERE / "results"

CHILD = '''
import sys, time
from agent_server.start_server import remember_absent_notebook_modules, resolve_trace_experiment
import mlflow
from mlflow.tracing.processor.base_mlflow import flush_all_batch_processors

def trace(i):
    with mlflow.start_span("invoke_agent", span_type="AGENT") as span:
        span.set_inputs({"input": [{"role": "user", "content": "where is order %d" % i}]})
        span.set_outputs({"output": [{"type": "message", "content": [{"type": "output_text", "text": "shipped " * 20}]}]})

count, rate = int(sys.argv[1]), float(sys.argv[2])
# What the app's build_app() does before serving with a tracking URI (importing the module does nothing of it).
resolve_trace_experiment()
remember_absent_notebook_modules()
trace(-1)
flush_all_batch_processors(60000)
cpu, start = time.process_time(), time.monotonic()
for i in range(count):
    trace(i)
    time.sleep(max(0.0, start + (i + 1) / rate - time.monotonic()))
flush_all_batch_processors(300000)
print(time.process_time() - cpu)
'''


def measure(app: Path, tracking: str, log: Path, database: Path, traces: int, rate: float, threads: int) -> dict:
    calls_before = _calls(log)
    recorded_before = _recorded(database)
    env = {**os.environ, "PYTHONPATH": str(app), "MLFLOW_TRACKING_URI": tracking,
           "MLFLOW_EXPERIMENT_NAME": "serving2apps-trace-export",
           "MLFLOW_ASYNC_TRACE_LOGGING_MAX_WORKERS": str(threads)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(traces), str(rate)], cwd=app, env=env, capture_output=True,
                         text=True, check=True, timeout=900)
    cpu = float(out.stdout.strip().splitlines()[-1])
    calls = _calls(log) - calls_before
    return {"export_threads": threads, "traces": traces, "rate_per_s": rate,
            "cpu_ms_per_trace": round(1000 * cpu / traces, 2),
            "recorded": _recorded(database) - recorded_before - 1,  # the warm-up trace aside
            # The experiment's set-up calls aside: they are made once per process.
            "calls_per_trace": {call: round(n / traces, 2) for call, n in sorted(calls.items()) if n / traces >= 0.01}}


def _calls(log: Path) -> collections.Counter:
    """The tracking server's access log, by method and path (trace ids folded)."""
    text = log.read_text() if log.exists() else ""
    return collections.Counter(re.sub(r"tr-[0-9a-f]+", "tr-*", m)
                               for m in re.findall(r'"((?:GET|POST|PUT|PATCH) /[^ ?"]*)', text))


def _recorded(database: Path) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(database) as db:
        try:
            return db.execute("SELECT count(*) FROM trace_info").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="traces per second (the store keeps up with ~30)")
    parser.add_argument("--export-threads", type=int, nargs="+", default=[10, 1],
                        help="MLFLOW_ASYNC_TRACE_LOGGING_MAX_WORKERS values to compare (MLflow's default is 10)")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="serving2apps-trace-export-") as temp:
        work = Path(temp)
        render_scaffold({"app_name": "trace-export"}, work / "app")
        (work / "tracking").mkdir()
        rows = []
        with running_mlflow_server(work / "tracking") as tracking:
            for threads in args.export_threads:
                row = measure(work / "app", tracking, work / "tracking" / "mlflow-server.log",
                              work / "tracking" / "mlflow.db", args.traces, args.rate, threads)
                rows.append(row)
                print(json.dumps(row), flush=True)
    (RESULTS / "trace_export.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
