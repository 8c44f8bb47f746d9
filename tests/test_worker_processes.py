"""`start-server --workers N` (the command in databricks.yml passes the `workers` variable, set by migrate, S2A209):
N worker processes, each accepting on its own socket, so kept-alive connections spread over every worker, under a
parent that replaces a worker that dies, stops them all on SIGTERM and fails fast when they cannot start."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from servers import trace_store
from test_app_starts import ECHO_AGENT, REQUEST, app_dir  # noqa: F401  (app_dir is a fixture)

from serving2apps.local_server import free_port, running_server

LISTEN, ESTABLISHED = "0A", "01"  # states in /proc/net/tcp


def sockets_by_process(port: int, state: str, peer_port: int | None = None) -> dict[int, int]:
    """pid → how many of its TCP sockets have local port `port` (and remote port `peer_port`, if given) and are in
    `state`, read from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state \
                    and peer_port in (None, int(fields[2].rsplit(":", 1)[1], 16)):
                inodes.add(f"socket:[{fields[9]}]")
    counts: dict[int, int] = {}
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if os.readlink(fd) in inodes:
                counts[int(fd.parts[2])] = counts.get(int(fd.parts[2]), 0) + 1
        except OSError:
            continue
    return counts


def listening_workers(port: int, count: int, besides: set[int] = frozenset(), timeout: float = 120) -> set[int]:
    """The pids listening on `port`, once `count` processes other than `besides` do (a worker listens once it has
    imported the app)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listening = set(sockets_by_process(port, LISTEN))
        if len(listening) == count and not listening & besides:
            return listening
        time.sleep(0.2)
    raise AssertionError(f"{count} processes were not listening on {port} within {timeout} s: {listening}")


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def server_command(port: int, workers: int = 2) -> list[str]:
    return [sys.executable, "-m", "agent_server.start_server", "--port", str(port), "--workers", str(workers)]


def server_env(app_dir: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(app_dir), **trace_store(app_dir)}
    env.pop("DATABRICKS_APP_PORT", None)
    return env


def test_kept_alive_connections_spread_over_the_workers_and_a_dead_worker_is_replaced(app_dir, tmp_path):
    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with running_server(server_command(port), app_dir, server_env(app_dir), log, base + "/health") as server:
        workers = listening_workers(port, 2)
        assert server.pid not in workers  # the parent holds the port without listening: it never takes a connection

        # 32 clients, each keeping its own connection open, as the Apps proxy and load generators do. With one
        # listening socket shared by the workers, Linux handed nearly all of them to one worker.
        # Which worker holds each connection is read as soon as its request is answered: the server closes a
        # connection idle for 5 s, which a slow machine can reach before the 32nd request.
        clients = [httpx.Client(base_url=base, timeout=30) for _ in range(32)]
        held: Counter[int] = Counter()
        try:
            for client in clients:
                answer = client.post("/invocations", json=REQUEST)
                assert answer.status_code == 200
                client_port = answer.extensions["network_stream"].get_extra_info("client_addr")[1]
                held.update(sockets_by_process(port, ESTABLISHED, peer_port=client_port))
        finally:
            for client in clients:
                client.close()
        assert set(held) == workers and sum(held.values()) == 32
        assert min(held.values()) >= 4, held  # an even spread gives fewer than 4 with probability ~1e-6

        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        replaced = listening_workers(port, 2, besides={victim})
        assert f"Worker process [{victim}] died" in log.read_text()
        for _ in range(4):
            assert httpx.post(base + "/invocations", json=REQUEST, timeout=30).status_code == 200

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
    assert all(gone(pid) for pid in replaced)
    assert "with 2 worker processes" in log.read_text()


def test_a_worker_that_cannot_start_stops_the_server_with_its_error(app_dir, tmp_path):
    """A broken agent fails the same way in every worker: the server exits non-zero with the agent's error instead of
    starting workers again and again."""
    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT.replace(
        "from agent_server.utils", "raise RuntimeError('the agent is broken')\nfrom agent_server.utils"))
    # Run directly: start_server would meet the error in its own import, before it starts any worker.
    done = subprocess.run([sys.executable, "-m", "agent_server.worker_processes", "agent_server.start_server:app",
                           "--host", "127.0.0.1", "--port", str(free_port()), "--workers", "2"],
                          cwd=app_dir, env=server_env(app_dir), capture_output=True, text=True, timeout=180)
    assert done.returncode != 0
    assert "the agent is broken" in done.stderr
    assert "stopped before it began serving" in done.stderr
    assert done.stderr.count("Started server process") <= 2  # no worker was started again


def test_each_workers_connections_send_without_waiting_for_acknowledgements(app_dir):
    """A worker's socket is one asyncio (uvicorn's loop) turns Nagle's algorithm off for, as it does for the socket a
    single worker makes itself: with it on, each whole answer (uvicorn writes its head, then its body) waited ~40 ms
    for the client's delayed acknowledgement."""
    import asyncio
    import importlib.util

    # Loaded from its file (it imports nothing of the app's package), so no app's agent_server stays imported here.
    spec = importlib.util.spec_from_file_location("worker_processes_under_test",
                                                  app_dir / "agent_server" / "worker_processes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bound_socket = module.bound_socket

    async def accepted_nodelay() -> int:
        seen: asyncio.Future = asyncio.get_running_loop().create_future()

        def accept(reader, writer):
            seen.set_result(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accept, sock=bound_socket("127.0.0.1", free_port()))
        async with server:
            _, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
            value = await asyncio.wait_for(seen, 10)
            writer.close()
        return value

    assert asyncio.run(accepted_nodelay()) == 1


def test_a_port_in_use_is_named(app_dir):
    (app_dir / "agent_server" / "agent.py").write_text(ECHO_AGENT)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(server_command(port), cwd=app_dir, env=server_env(app_dir), capture_output=True,
                              text=True, timeout=180)
    assert done.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in done.stderr and "pass another --port" in done.stderr


# An agent file that runs a coroutine to completion while it is imported (loading MCP tools with asyncio.run, say),
# as it could when Model Serving loaded it; inside a running event loop asyncio.run raises.
COROUTINE_AT_IMPORT = ECHO_AGENT.replace("from agent_server.utils import get_session_id\n", """\
from agent_server.utils import get_session_id


async def _load_tools():
    await asyncio.sleep(0)
    return ["lookup"]


TOOLS = asyncio.run(_load_tools())
""").replace("from mlflow.genai.agent_server", "import asyncio\n\nfrom mlflow.genai.agent_server")


@pytest.mark.parametrize("workers", [1, 2])
def test_an_agent_that_runs_a_coroutine_at_import_starts(app_dir, tmp_path, workers):
    (app_dir / "agent_server" / "agent.py").write_text(COROUTINE_AT_IMPORT)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_server(server_command(port, workers), app_dir, server_env(app_dir), tmp_path / "server.log",
                        base + "/health"):
        answer = httpx.post(base + "/invocations", json=REQUEST, timeout=30)
    assert answer.status_code == 200 and answer.json()["output"][0]["content"][0]["text"].startswith("echo: hi")
