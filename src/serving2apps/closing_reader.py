"""Output for a reader that may stop reading: `serving2apps scan | head -3` closes the pipe after three lines, and
the next line printed would raise BrokenPipeError in the middle of the run (init would abandon an app it was
building, and the error read as a crash). Once the reader is gone, the command goes on silently and ends with its
own exit code, as if its output had gone to /dev/null."""

from __future__ import annotations

import io
import os
import sys


class _StdoutThatMayClose:
    def __init__(self, stream):
        self._stream = stream

    def _reader_gone(self) -> None:
        # The descriptor now points at /dev/null, so what is still buffered (and the flush at exit) goes there.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._reader_gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._reader_gone()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def survive_a_closed_stdout() -> None:
    """Make sys.stdout outlive its reader; once per process, and only for a stream on a real descriptor (a test's
    captured output has none, and never closes)."""
    if isinstance(sys.stdout, _StdoutThatMayClose):
        return
    try:
        sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return
    sys.stdout = _StdoutThatMayClose(sys.stdout)
