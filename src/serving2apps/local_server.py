"""Run a local HTTP server process until its health URL answers, then stop it (used by verify)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from pathlib import Path

import httpx


class ServerDidNotStart(Exception):
    def __init__(self, url: str, returncode: int | None, log: Path):
        self.log_tail = log.read_text(errors="replace")[-3000:]
        state = f"exited with {returncode}" if returncode is not None else "did not answer in time"
        super().__init__(f"the server {state} before answering {url} (log: {log}):\n{self.log_tail}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(command: list[str], cwd: Path, env: dict[str, str], log: Path, health: str, timeout: float = 60):
    """Start `command` (output to `log`), wait until `health` answers below 500, yield the process, stop it."""
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart(health, proc.poll(), log)
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(health, timeout=2).status_code < 500:
                    break
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
