"""An interrupted run (Ctrl-C or a TERM from a supervisor) leaves nothing behind."""

import os
import signal
import subprocess
import sys
import time

import pytest

from fault_proxy import FaultProxy


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_download_leaves_nothing(mlflow_server, registered, tmp_path, sig):
    def slow(method, path, body):
        if "mlflow-artifacts/artifacts/" in path:
            time.sleep(30)  # the download hangs here until the signal arrives
        return body

    with FaultProxy(mlflow_server, rewrite=slow) as proxy:
        env = {**os.environ, "MLFLOW_TRACKING_URI": proxy.url, "MLFLOW_REGISTRY_URI": proxy.url}
        proc = subprocess.Popen(
            [sys.executable, "-m", "serving2apps.cli", "download", "--model-uri", "models:/echo_full/1"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".original_mlflow_model.partial-*")):
            assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        time.sleep(1)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "interrupted" in stderr
    assert list(tmp_path.iterdir()) == []


def _ignore_sigint():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as nohup and some CI runners start their children


@pytest.mark.parametrize("sig, inherited", [(signal.SIGINT, None), (signal.SIGTERM, None),
                                            (signal.SIGINT, _ignore_sigint)],
                         ids=["SIGINT", "SIGTERM", "SIGINT-inherited-ignored"])
def test_interrupted_init_after_writing_leaves_nothing(tmp_path, sig, inherited):
    """Signalled once the migration has written the staged app (while verify serves it): no app, no model, no
    staging folder, and no server left running. Ctrl-C is handled even when the parent started us ignoring it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "serving2apps.cli", "init", "--example", "--app-name", "cut-agent", "--yes",
         "--engine", "copier", "--verify", "--output-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=inherited,
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".serving2apps-init-*/cut-agent/MIGRATION_REPORT.md")):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_python_swallows_still_ends_the_run_and_removes_the_staging(tmp_path):
    """Python drops a KeyboardInterrupt raised inside a weakref callback or __del__ ("Exception ignored in");
    the backstop then removes the registered scratch folders itself and exits 130."""
    script = f"""
import signal, time
from pathlib import Path
from serving2apps.interrupts import on_signal, scratch
signal.signal(signal.SIGINT, on_signal)
folder = Path({str(tmp_path / "staging")!r})
folder.mkdir()
(folder / "half.bin").write_bytes(b"x")


class Swallows:
    def __del__(self):
        signal.raise_signal(signal.SIGINT)  # the KeyboardInterrupt is raised here, and ignored


with scratch(folder):
    Swallows()
    time.sleep(600)  # carries on as if nothing had happened: only the backstop ends it within the timeout
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 130, proc.stderr
    assert "Exception ignored" in proc.stderr and "interrupted" in proc.stderr
    assert not (tmp_path / "staging").exists()


def test_an_error_after_a_swallowed_interrupt_reads_as_the_interrupt(tmp_path):
    """A library that catches the KeyboardInterrupt (a bare except around an import, seen once in CI while mlflow
    imported) and then fails on what it left half-done: the run ends as interrupted (130), not as a crash (3)."""
    script = """
import signal, sys
from serving2apps import cli


def download(args):
    try:
        signal.raise_signal(signal.SIGINT)
    except BaseException:  # what a bare except in a library does
        pass
    raise AttributeError("partially initialized module 'x' has no attribute 'y'")


cli._download = download
sys.exit(cli.main(["download", "--model-dir", "."]))
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 130, proc.stderr
    assert "interrupted" in proc.stderr
    assert "internal error" not in proc.stderr
    assert list(tmp_path.iterdir()) == []
