"""Checks the app before a deploy (`uv run preflight`): it starts the server as Databricks Apps would, waits
for /health, sends one request to /invocations (input_example.json if the app has one, else a greeting), whole
and streamed, and stops the server. Exit 0 when both answers came back, 1 otherwise, with the server's log.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

APP_ROOT = Path(__file__).resolve().parent.parent
GREETING = {"input": [{"role": "user", "content": "Hello!"}]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request() -> dict:
    example = APP_ROOT / "input_example.json"
    return json.loads(example.read_text()) if example.is_file() else GREETING


def _wait_for_health(base: str, server: subprocess.Popen, timeout: float) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return f"the server exited with {server.returncode} before answering /health"
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return None
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    return f"/health did not answer within {timeout:.0f}s"


def _check(base: str, request: dict, timeout: float) -> list[str]:
    problems = []
    whole = httpx.post(base + "/invocations", json=request, timeout=timeout)
    if whole.status_code != 200 or not whole.json().get("output"):
        problems.append(f"/invocations answered {whole.status_code}: {whole.text[:500]}")
    with httpx.stream("POST", base + "/invocations", json={**request, "stream": True}, timeout=timeout) as events:
        lines = [line for line in events.iter_lines() if line.startswith("data: ")]
    if events.status_code != 200 or not any('"response.output_item.done"' in line for line in lines):
        problems.append(f"the streamed /invocations answered {events.status_code} with no finished output item")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start the app locally, check /health and one request, stop it.")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for start-up and each answer")
    args = parser.parse_args(argv)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(APP_ROOT), "DATABRICKS_APP_PORT": str(port)}
    with tempfile.NamedTemporaryFile("w+b", prefix="preflight-", suffix=".log", delete=False) as log:
        server = subprocess.Popen([sys.executable, "-m", "agent_server.start_server", "--host", "127.0.0.1"],
                                  cwd=APP_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        problem = _wait_for_health(base, server, args.timeout)
        problems = [problem] if problem else _check(base, _request(), args.timeout)
    except httpx.HTTPError as exc:
        problems = [f"the request failed: {exc}"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    if problems:
        print("preflight FAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
        print(f"server log ({log.name}):\n" + Path(log.name).read_text(errors="replace")[-3000:], file=sys.stderr)
        return 1
    Path(log.name).unlink()
    print("preflight passed: /health and /invocations (whole and streamed) answered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
