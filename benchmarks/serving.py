"""Serving concurrency before and after migration, on this machine, one worker each.

    uv run --frozen python benchmarks/serving.py [--quick]

The agent is tests/framework_agents/openai_orders.py (a tool call, then a streamed answer: two model calls per
request) against the fake OpenAI-compatible model in its own process. Served five ways:

- original: the logged model under `mlflow models serve` (MLflow's scoring server; non-streaming only),
- seed-sync: the seed's literal sync form, plain sync @invoke/@stream handlers over the sync functions,
- sync: `serving2apps migrate --mode sync` (sync code in worker threads, AGENT_WORKER_THREADS=32),
- async: `serving2apps migrate --mode async`,
- ceiling: the same agent server with a no-op async handler (what the server itself costs per request).

The load generator (benchmarks/load.py) is a separate process; its CPU use is reported. Writes
benchmarks/results/serving.json and serving.png and prints a table. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from serving2apps.codemod.agent_file import migrate_agent_source  # noqa: E402
from serving2apps.init import render_scaffold  # noqa: E402
from serving2apps.local_server import free_port, running_server  # noqa: E402

AGENT = ROOT / "tests" / "framework_agents" / "openai_orders.py"
RESULTS = HERE / "results"
POOL = 32

CEILING_AGENT = '''
from mlflow.genai.agent_server import invoke, stream
from mlflow.types.responses import ResponsesAgentResponse, create_text_delta, create_text_output_item


@invoke()
async def answer(request):
    return ResponsesAgentResponse(output=[create_text_output_item("Answer: order 42 shipped", "m")])


@stream()
async def answer_stream(request):
    for word in ("Answer:", "order", "42", "shipped"):
        yield {**create_text_delta(word + " ", "m")}
    yield {"type": "response.output_item.done", "item": create_text_output_item("Answer: order 42 shipped", "m")}
'''


def seed_sync_form(sync_code: str) -> str:
    """The sync migration's functions with the seed's plain synchronous handlers instead of our adapters."""
    functions = sync_code[: sync_code.index("@invoke()")]
    functions = functions.replace("from agent_server.adapters import", "# from agent_server.adapters import")
    return functions + (
        "@invoke()\n"
        "def invoke_agent(request):\n"
        "    return predict(request)\n\n\n"
        "@stream()\n"
        "def stream_agent(request):\n"
        "    yield from predict_stream(request)\n"
    )


def agent_sources() -> dict[str, str]:
    source = AGENT.read_text()
    sync = migrate_agent_source(source, "agent_server/agent.py", mode="sync").code
    return {
        "seed-sync": seed_sync_form(sync),
        "sync": sync,
        "async": migrate_agent_source(source, "agent_server/agent.py", mode="async").code,
        "ceiling": CEILING_AGENT,
    }


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def load(url: str, clients: int, duration: float, stream: bool) -> dict:
    command = [sys.executable, str(HERE / "load.py"), "--url", url, "--clients", str(clients),
               "--duration", str(duration)] + (["--stream"] if stream else [])
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 300)
    if out.returncode != 0:
        return {"clients": clients, "stream": stream, "failed": out.stderr[-500:]}
    return json.loads(out.stdout)


def save_original(dest: Path) -> None:
    import mlflow

    mlflow.pyfunc.save_model(str(dest), python_model=str(AGENT),
                             input_example={"input": [{"role": "user", "content": "where is order 42"}]})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="clients 1, 32, 128; 3 s per point")
    parser.add_argument("--model-time", type=float, default=0.1, help="seconds per model call (two per request)")
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--only", nargs="*", help="forms to run (default: all)")
    parser.add_argument("--clients", nargs="*", type=int, help="concurrency levels (default: 1 8 32 128 256)")
    parser.add_argument("--whole-only", action="store_true", help="skip the streaming sweep")
    parser.add_argument("--output", default="serving", help="results file stem under benchmarks/results/")
    parser.add_argument("--trace", action="store_true", help="keep MLflow tracing on (to a local sqlite store, "
                        "whose writes then dominate the server's CPU); off by default so the figures are about "
                        "the serving code")
    args = parser.parse_args()
    sweep = args.clients or ([1, 32, 128] if args.quick else [1, 8, 32, 128, 256])
    duration = 3.0 if args.quick else args.duration
    model_time = 2 * args.model_time
    RESULTS.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="serving2apps-bench-"))
    fake = subprocess.Popen([sys.executable, str(HERE / "fake_model_server.py"), "--first-token", str(args.model_time)],
                            stdout=subprocess.PIPE, text=True)
    rows = []
    try:
        model_url = fake.stdout.readline().strip()
        model_env = {"OPENAI_BASE_URL": f"{model_url}/v1", "OPENAI_API_KEY": "benchmark-token"}
        os.environ.update(model_env)  # saving the original model runs the agent file, which builds its client
        env = {**os.environ, "AGENT_WORKER_THREADS": str(POOL)}
        if not args.trace:
            env["MLFLOW_TRACE_SAMPLING_RATIO"] = "0"
        render_scaffold({"app_name": "bench-agent"}, work / "scaffold")  # the app folder itself
        forms = ["original", *agent_sources()]
        sources = agent_sources()
        for form in forms:
            if args.only and form not in args.only:
                continue
            port = free_port()
            log = work / f"{form}.log"
            if form == "original":
                save_original(work / "original_model")
                command = [sys.executable, "-m", "mlflow", "models", "serve", "-m", str(work / "original_model"),
                           "--env-manager", "local", "--host", "127.0.0.1", "-p", str(port), "-w", "1"]
                cwd, health, form_env = work, f"http://127.0.0.1:{port}/ping", env
            else:
                app = work / form
                shutil.copytree(work / "scaffold", app)
                (app / "agent_server" / "agent.py").write_text(sources[form])
                command = [sys.executable, "-m", "agent_server.start_server", "--port", str(port)]
                cwd, health = app, f"http://127.0.0.1:{port}/health"
                form_env = {**env, "PYTHONPATH": str(app), "MLFLOW_TRACKING_URI": f"sqlite:///{app / 'traces.db'}"}
            with running_server(command, cwd, form_env, log, health, timeout=180) as proc:
                for stream in (False, True):
                    if stream and (form == "original" or args.whole_only):
                        continue  # MLflow's scoring server answers whole responses only
                    for clients in sweep:
                        row = {"form": form, **load(f"http://127.0.0.1:{port}", clients, duration, stream)}
                        row["ideal_rps"] = round(clients / model_time, 1)
                        row["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
                        rows.append(row)
                        print(format_row(row), flush=True)
    finally:
        fake.terminate()
        fake.wait()
        shutil.rmtree(work, ignore_errors=True)
    machine = {"cores": os.cpu_count(), "model_time_per_request_s": model_time, "duration_s": duration,
               "worker_threads": POOL, "python": sys.version.split()[0], "tracing": args.trace}
    (RESULTS / f"{args.output}.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")
    plot(rows, RESULTS / f"{args.output}.png", model_time)
    print()
    print(table(rows))


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{1000 * seconds:.0f}"


def format_row(row: dict) -> str:
    if "failed" in row:
        return f"{row['form']:>9} c={row['clients']:<4} {'stream' if row['stream'] else 'whole '} FAILED {row['failed']}"
    return (f"{row['form']:>9} c={row['clients']:<4} {'stream' if row['stream'] else 'whole '} "
            f"{row['rps']:>7.1f} req/s (ideal {row['ideal_rps']:>6.1f})  p50 {ms(row['p50']):>5} ms  "
            f"p99 {ms(row['p99']):>5} ms  ttft {ms(row['ttft_p50']):>5} ms  errors {row['errors']}  "
            f"rss {row['server_peak_rss_mb']} MB  load cpu {row['load_cpu_percent']}%")


def table(rows: list[dict]) -> str:
    lines = ["| form | mode | clients | req/s | ideal | p50 ms | p99 ms | TTFT p50 ms | errors | peak RSS MB | load CPU % |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "failed" in r:
            continue
        lines.append(f"| {r['form']} | {'stream' if r['stream'] else 'whole'} | {r['clients']} | {r['rps']} | "
                     f"{r['ideal_rps']} | {ms(r['p50'])} | {ms(r['p99'])} | {ms(r['ttft_p50'])} | {r['errors']} | "
                     f"{r['server_peak_rss_mb']} | {r['load_cpu_percent']} |")
    return "\n".join(lines)


def plot(rows: list[dict], path: Path, model_time: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, stream in zip(axes, (False, True)):
        for form in dict.fromkeys(r["form"] for r in rows):
            points = [(r["clients"], r["rps"]) for r in rows if r["form"] == form and r["stream"] == stream
                      and "failed" not in r]
            if points:
                ax.plot(*zip(*points), marker="o", label=form)
        clients = sorted({r["clients"] for r in rows})
        ax.plot(clients, [c / model_time for c in clients], linestyle=":", color="grey", label="clients ÷ model time")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("concurrent clients")
        ax.set_title("streaming" if stream else "whole responses")
    axes[0].set_ylabel("requests / s")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
