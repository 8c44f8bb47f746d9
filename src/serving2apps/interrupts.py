"""Ctrl-C and SIGTERM: the same clean exit for both, and a backstop when Python loses the interrupt.

The handler raises KeyboardInterrupt so context managers remove their staging folders on the way out. Python
can swallow that exception when it lands in a weakref callback or a `__del__` ("Exception ignored in ...") and
the run would carry on as if nothing happened; so the handler also arms a timer that, if the process is still
running after a grace period, removes every registered scratch folder itself and exits with 130.

A library can also catch the KeyboardInterrupt (a bare `except:` around an optional import) and then fail on what
it left half-done: once a signal has come, any error that follows is reported as the interrupt, not as a crash.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EXIT_INTERRUPTED = 130
GRACE_SECONDS = 5.0
MESSAGE = "interrupted: nothing was left half-written"

_scratch: set[Path] = set()
_signalled = threading.Event()


@contextmanager
def scratch(path: Path) -> Iterator[Path]:
    """`path` is removed by the backstop if an interrupt is lost while it exists."""
    _scratch.add(path)
    try:
        yield path
    finally:
        _scratch.discard(path)


def on_signal(signum, frame) -> None:
    _signalled.set()
    timer = threading.Timer(GRACE_SECONDS, _exit_now)
    timer.daemon = True
    timer.start()
    raise KeyboardInterrupt


@contextmanager
def errors_after_a_signal_are_the_signal() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        if _signalled.is_set():
            raise KeyboardInterrupt from exc
        raise


def _exit_now() -> None:
    for path in list(_scratch):
        shutil.rmtree(path, ignore_errors=True)
    exit_interrupted()


def exit_interrupted() -> None:
    """Download threads may still be blocked on the network: do not wait for them to write into a folder that
    was just removed."""
    print(MESSAGE, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)
