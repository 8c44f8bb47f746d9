"""`serving2apps init --endpoints a,b,c` (or `--all-agents`): one app per endpoint, in worker processes.

Each endpoint is a whole `init` (download, render, migrate, each staged and moved into place only on success) in
its own folder `OUTPUT/<app>/` (the app and its original_mlflow_model/, as a single init lays them out), run by a
pool of worker processes, so one endpoint's failure or crash never stops the others. Each finished endpoint is
written to the summary (`serving2apps-summary.json` and `.md`) at once, so an interrupted run loses only the
endpoints in flight, whose staging folders their own init removes. A second run skips the apps already made and
retries the rest. The exit code is the worst of the results: 0 all done, 1 some need a review, 2 some failed.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from serving2apps.app_names import unique_app_names
from serving2apps.errors import EXIT_ERROR, EXIT_OK, EXIT_REVIEW, MigrationError, first_line
from serving2apps.report import REPORT_JSON, REPORT_MD

SUMMARY_JSON = "serving2apps-summary.json"
SUMMARY_MD = "serving2apps-summary.md"
LOGS = ".serving2apps-logs"
JOBS = 2  # a migration is mostly CPU (imports, libcst, uv lock): more processes than cores only queue
_EXIT = {"ok": EXIT_OK, "review": EXIT_REVIEW, "refused": EXIT_ERROR, "failed": EXIT_ERROR}


@dataclass
class EndpointResult:
    endpoint: str
    app_name: str
    status: str  # ok, review, refused (the migration said no, with a code), failed (download, network, a crash)
    folder: str  # OUTPUT/<app>, relative to OUTPUT
    report: str = ""  # the app's MIGRATION_REPORT.md, relative to OUTPUT, when the app was made
    to_review: int = 0
    message: str = ""

    @property
    def done(self) -> bool:
        return self.status in ("ok", "review")


@dataclass(frozen=True)
class _Job:
    endpoint: str
    app_name: str
    output_dir: str
    profile: str | None
    mode: str
    lock: bool | str
    engine: str | None


def previous_results(output_dir: Path) -> dict[str, EndpointResult]:
    path = output_dir / SUMMARY_JSON
    if not path.is_file():
        return {}
    try:
        rows = json.loads(path.read_text())["endpoints"]
        return {row["endpoint"]: EndpointResult(**row) for row in rows}
    except (ValueError, KeyError, TypeError) as exc:
        raise MigrationError(f"{path} is not a summary serving2apps wrote ({first_line(exc)})",
                             "move it away (or choose another --output-dir) and run the command again") from None


def plan_names(endpoints: list[str], output_dir: Path) -> dict[str, str]:
    """Endpoint → app name; an earlier run's names are kept, so a re-run finds its apps."""
    taken = {e: r.app_name for e, r in previous_results(output_dir).items()}
    return unique_app_names(endpoints, taken)


def _reviews(app: Path) -> int:
    """The items the app's report asks a person to review."""
    findings = json.loads((app / REPORT_JSON).read_text())["findings"]
    return sum(finding["kind"] == "review" for finding in findings)


def _made(output_dir: Path, endpoint: str, app_name: str) -> EndpointResult | None:
    """The result of an app a run made for this endpoint, read from the app itself: a run stopped before it
    recorded the app (its worker finished after an interrupt) must not make the next run fail on the folder."""
    from serving2apps.provenance import read_provenance

    folder = output_dir / app_name
    report = folder / app_name / REPORT_MD
    try:
        provenance = read_provenance(folder / "original_mlflow_model") or {}
    except MigrationError:
        return None
    if not report.is_file() or (provenance.get("source") or {}).get("endpoint") != endpoint:
        return None
    to_review = _reviews(folder / app_name)
    return EndpointResult(endpoint, app_name, "review" if to_review else "ok", app_name,
                          str(report.relative_to(output_dir)), to_review)


def _run_one(job: _Job) -> EndpointResult:
    """In a worker process: one endpoint's whole init, its messages in OUTPUT/.serving2apps-logs/<app>.log."""
    from serving2apps.download import Source
    from serving2apps.init import init
    from serving2apps.interrupts import errors_after_a_signal_are_the_signal, exit_interrupted, on_signal

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    output_dir = Path(job.output_dir)
    folder = output_dir / job.app_name
    logs = output_dir / LOGS
    logs.mkdir(exist_ok=True)
    result = EndpointResult(job.endpoint, job.app_name, "failed", job.app_name)
    with (logs / f"{job.app_name}.log").open("w") as out:
        def log(message: str) -> None:
            print(message, file=out, flush=True)

        try:
            with errors_after_a_signal_are_the_signal():
                init(Source(endpoint=job.endpoint, profile=job.profile), job.app_name, folder, mode=job.mode,
                     lock=job.lock, engine=job.engine, log=log)
        except MigrationError as exc:
            log(str(exc))
            result.status = "refused" if exc.code else "failed"
            result.message = first_line(exc.problem, 300) + (f"; {first_line(exc.fix, 200)}" if exc.fix else "")
            return result
        except Exception as exc:  # noqa: BLE001 - a crash is this endpoint's result, never the run's
            log(f"{type(exc).__name__}: {exc}")
            result.message = f"{type(exc).__name__}: {first_line(exc, 300)}"
            return result
        except KeyboardInterrupt:
            # init has removed what it staged. The pool would hand this process the next endpoint: end it instead.
            log("interrupted")
            exit_interrupted()
    return _made(output_dir, job.endpoint, job.app_name) or result


def run_batch(endpoints: list[str], output_dir: Path, profile: str | None, mode: str = "async",
              lock: bool | str = False, engine: str | None = None, jobs: int = JOBS,
              log: Callable[[str], None] = print) -> int:
    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    names = plan_names(endpoints, output_dir)
    results: dict[str, EndpointResult] = {}
    todo = []
    for endpoint in endpoints:
        earlier = _made(output_dir, endpoint, names[endpoint])
        if earlier is not None:
            results[endpoint] = earlier
            log(f"{endpoint}: {earlier.app_name} was made by an earlier run ({earlier.status}); skipped")
            continue
        todo.append(_Job(endpoint, names[endpoint], str(output_dir), profile, mode, lock, engine))
    total = len(todo)
    if todo:
        # spawn, not fork: the parent may hold threads (the SDK's, mlflow's) that a forked child would inherit locked.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=max(1, min(jobs, total)), mp_context=context) as pool:
            futures = {pool.submit(_run_one, job): job for job in todo}
            try:
                _collect(futures, results, endpoints, output_dir, total, log)
            except BaseException:
                # Stopped (Ctrl-C): the endpoints not started are dropped; those in flight stop on their own signal.
                for future in futures:
                    future.cancel()
                raise
    ordered = [results[e] for e in endpoints]

    write_summary(output_dir, ordered)
    log("\n" + summary_table(ordered))
    log(f"\nSummary: {output_dir / SUMMARY_MD} (and {SUMMARY_JSON}); logs in {output_dir / LOGS}")
    return max(_EXIT[r.status] for r in ordered) if ordered else EXIT_OK


def _collect(futures: dict, results: dict[str, EndpointResult], endpoints: list[str], output_dir: Path, total: int,
             log: Callable[[str], None]) -> None:
    """Each result as it comes, into the summary at once."""
    for number, future in enumerate(as_completed(futures), 1):
        job = futures[future]
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - the worker process itself died
            result = EndpointResult(job.endpoint, job.app_name, "failed", job.app_name,
                                    message=f"the worker process died: {first_line(exc, 200)}")
        results[job.endpoint] = result
        write_summary(output_dir, [results[e] for e in endpoints if e in results])
        log(f"[{number}/{total}] {_line(result)}")


def _line(result: EndpointResult) -> str:
    if result.done:
        review = f", {result.to_review} item(s) to review" if result.to_review else ""
        return f"{result.endpoint}: {result.status} → {result.folder}/{result.app_name}{review}"
    return f"{result.endpoint}: {result.status}: {result.message}"


def summary_table(results: list[EndpointResult]) -> str:
    header = ("ENDPOINT", "APP", "RESULT", "TO REVIEW", "REPORT")
    cells = [(r.endpoint, r.app_name, r.status, str(r.to_review) if r.done else "-", r.report or r.message)
             for r in results]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(header[:-1])]
    return "\n".join("  ".join(t.ljust(w) for t, w in zip(line[:-1], widths)) + "  " + line[-1]
                     for line in [header, *cells])


def write_summary(output_dir: Path, results: list[EndpointResult]) -> None:
    """Both summary files, each replaced whole (written beside, then renamed)."""
    counts = {s: sum(r.status == s for r in results) for s in _EXIT}
    markdown = ["# serving2apps: migration summary", "",
                f"{len(results)} endpoint(s): {counts['ok']} ok, {counts['review']} with items to review, "
                f"{counts['refused']} refused, {counts['failed']} failed.", "",
                "| endpoint | app | result | to review | report or reason |", "|---|---|---|---|---|"]
    for r in results:
        detail = f"[{r.report}]({r.report})" if r.report else r.message.replace("|", "\\|")
        markdown.append(f"| {r.endpoint} | {r.app_name} | {r.status} | {r.to_review if r.done else '-'} | {detail} |")
    for name, text in ((SUMMARY_JSON, json.dumps({"endpoints": [asdict(r) for r in results]}, indent=2) + "\n"),
                       (SUMMARY_MD, "\n".join(markdown) + "\n")):
        partial = output_dir / f".{name}.partial"
        partial.write_text(text)
        os.replace(partial, output_dir / name)
