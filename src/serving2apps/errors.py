"""The one error type users see, the exit codes, and what a crash leaves behind.

Exit codes: 0 done, 1 done with items to review, 2 refused (bad input, with the fix), 3 internal error. A crash
must never read as success, so everything that is not a MigrationError exits 3 with the traceback saved.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from serving2apps.interrupts import errors_after_a_signal_are_the_signal

EXIT_OK = 0
EXIT_REVIEW = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3

REPORT_BUGS = "please report it with that file attached (it holds no tokens: only the traceback)"
INSTALL_DATABRICKS_CLI = "install it (v0.294.0 or newer): https://docs.databricks.com/dev-tools/cli/install.html"


class MigrationError(Exception):
    """A problem the user can fix. The CLI prints it (without a traceback) and exits with EXIT_ERROR."""

    def __init__(self, problem: str, fix: str | None = None, code: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.code = code  # a refusal code of the report's registry (README), when the refusal has one

    def __str__(self) -> str:
        problem = f"{self.problem} ({self.code})" if self.code else self.problem
        return f"{problem}\n  fix: {self.fix}" if self.fix else problem


def save_traceback(exc: BaseException) -> Path:
    """Write the traceback where the user can find it; the terminal gets one line, not the stack."""
    folder = Path(os.environ.get("SERVING2APPS_CRASH_DIR") or Path(tempfile.gettempdir()) / "serving2apps-crashes")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    path.write_text("".join(traceback.format_exception(exc)))
    return path


# What the machine refuses, not a fault of serving2apps: a full disk (or quota, or a size limit), a folder that is
# read-only or not the user's, a path it cannot take. Each is the user's to fix, so it is a refusal with the fix,
# not a crash report.
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_NOT_ALLOWED = {errno.EROFS, errno.EACCES, errno.EPERM}
# A path the file system cannot take: too long a name, a file where a folder should be, a loop of links.
_BAD_PATH = {errno.ENAMETOOLONG, errno.ENOTDIR, errno.ELOOP}


def refusal_from_machine(exc: BaseException, writing_in: Path | None = None) -> MigrationError | None:
    """The refusal for an OSError the machine caused, None for anything else. It names the file the error names
    (the one written, for a full disk), or its nearest folder that still exists (the command removed what it had
    begun: a staging folder is gone by the time this is read); else `writing_in`, where the command was writing."""
    if not isinstance(exc, OSError) or exc.errno not in _NO_ROOM | _NOT_ALLOWED | _BAD_PATH:
        return None
    named = (exc.filename2 if exc.errno in _NO_ROOM else None) or exc.filename
    where = Path(os.fsdecode(named)) if named else writing_in
    if exc.errno not in _BAD_PATH:  # a bad path is named as given: its nearest folder is not the problem
        while where is not None and not os.path.exists(where) and where != where.parent:
            where = where.parent
    problem = f"{exc.strerror or os.strerror(exc.errno)}" + (f" ({where})" if where else "")
    if exc.errno in _NO_ROOM:
        fix = ("free some space on that disk (or check the quota and `ulimit -f`), or write elsewhere "
               "(--output-dir, --dest), then run the command again")
    elif exc.errno in _NOT_ALLOWED:
        fix = "fix its permissions, or write elsewhere (--output-dir, --dest), then run the command again"
    else:
        fix = "give a shorter path, whose folders are folders (not files or links in a loop), and run the command again"
    return MigrationError(problem, fix)


@contextmanager
def refused_by_machine(writing_in: Path) -> Iterator[None]:
    """What the machine refuses in the block, raised as its refusal (naming `writing_in` when the error names no
    file); any other error as it was."""
    try:
        yield
    except OSError as exc:
        refusal = refusal_from_machine(exc, writing_in)
        if refusal is None:
            raise
        raise refusal from None


def run_guarded(action: Callable[[], int], prefix: str = "error") -> int:
    """Run one command: its own exit code, 2 for a MigrationError (or what the machine refused), 3 (traceback
    saved) for anything else."""
    try:
        with errors_after_a_signal_are_the_signal():
            return action()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - the point is to catch what nobody foresaw
        refusal = exc if isinstance(exc, MigrationError) else refusal_from_machine(exc)
        if refusal is not None:
            print(f"{prefix}: {refusal}", file=sys.stderr)
            return EXIT_ERROR
        try:
            where = f"the traceback is in {save_traceback(exc)}"
        except OSError:
            where = "the traceback could not be saved: " + "".join(traceback.format_exception_only(exc)).strip()
        # The message alone can be pages long (shutil's Error lists every file it failed on): the file has it all.
        print(f"{prefix}: internal error in serving2apps ({type(exc).__name__}: {first_line(exc)}); {where}; "
              f"{REPORT_BUGS}",
              file=sys.stderr)
        return EXIT_INTERNAL


def first_line(error: BaseException | str, limit: int = 300) -> str:
    """The first line of an error's message, cut at a word boundary when it is longer than `limit`."""
    text = (str(error).strip() or type(error).__name__) if isinstance(error, BaseException) else error.strip()
    line = text.splitlines()[0] if text else ""
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
