"""Verify a migrated app locally: ask the original model (mlflow.pyfunc.load_model) and the migrated app (its own
start-server on a loopback port) the same requests, whole and streamed, and compare the answers, ids ignored.

An agent that calls an LLM answers differently on every call, so the two sides must see the same model answers:
- online (the default), the original runs against a recording proxy of the workspace (the app's profile gives
  host and credentials; the model's process never holds them), then the migrated app runs against a replay of
  that recording. The first call the migrated app makes that the original never made is the diagnosis (S2A402);
- `offline`, both sides get serving2apps' deterministic model (offline_model) instead of a workspace.
The recording and the requests are kept in the app (.serving2apps/verify/), free of credentials.

The requests: the model's input example; a second turn of that conversation; one whose earlier turn called a
tool; the same with custom_inputs when the agent reads them; and any the user gives (one JSON request per line).
The original runs in its own environment, as Model Serving built it (original_env), the app in its own. Tracing is
off on both sides: nothing is sent to the workspace's experiments, and no local trace store is built.
Calls that bypass the workspace host (a hard-coded URL, another provider) are neither recorded nor replayed; both
sides send them through a counting proxy, or are seen connecting past it (outside_calls), and the verdict names
their hosts (in S2A400's message, or S2A404 beside a difference). When answers differ and nothing was recorded at
all, S2A403 says so.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from serving2apps.answers import AppAnswerError, ask_app, finished_items, original_finished, same
from serving2apps.codemod.findings import Finding
from serving2apps.errors import MigrationError
from serving2apps.local_server import ServerDidNotStart, free_port, running_server
from serving2apps.model_reader import ModelInfo, read_model
from serving2apps.original_env import OriginalEnvironment, original_environment
from serving2apps.outside_calls import OutsideCallsProxy
from serving2apps.request_format import app_request
from serving2apps.workspace_traffic import Recording, RecordingProxy, ReplayServer, pointed_at

if TYPE_CHECKING:
    from databricks.sdk.core import Config

DEFAULT_REQUEST = {"input": [{"role": "user", "content": "Hello!"}]}
KEPT = ".serving2apps/verify"  # the recording and the requests, kept in the app
# serving2apps modules the app's regression test runs (standard library, httpx and each other only).
REPLAY_MODULES = ("answers.py", "local_server.py", "offline_model.py", "workspace_traffic.py")
_SERVER_MODULES = ("mlflow.genai.agent_server", "uvicorn", "fastapi", "dotenv", "httpx")
_ORIGINAL = """
import json, sys
import mlflow
mlflow.tracing.disable()
model = mlflow.pyfunc.load_model(sys.argv[1])
dump = lambda o: o.model_dump(exclude_none=True) if hasattr(o, "model_dump") else str(o)
# A ChatAgent or ChatModel is asked in its chat format, as Model Serving asked it; the app's conversion layer
# turns the request into that format and the answers back into Responses.
try:
    from agent_server.chat_interface import chat_kind, chat_request, responses_answer, responses_events
except ImportError:  # an app rendered before template 2.1.0 serves ResponsesAgent models only
    chat_kind = lambda agent: None
try:
    kind = chat_kind(model.get_raw_model())
except Exception:  # a model whose loader does not expose the raw model is no chat agent
    kind = None
for request in json.loads(sys.argv[2]):
    try:
        if kind:
            chat = chat_request(request, kind)
            predict = lambda: responses_answer(model.predict(chat))
            predict_stream = lambda: list(responses_events(model.predict_stream(chat)))
        else:
            predict, predict_stream = (lambda: model.predict(request)), (lambda: list(model.predict_stream(request)))
        answer = {"invoke": json.loads(json.dumps(predict(), default=dump))}
        try:
            answer["stream"] = json.loads(json.dumps(predict_stream(), default=dump))
        except NotImplementedError:
            answer["stream"] = None
    except Exception as exc:
        answer = {"error": f"{type(exc).__name__}: {exc}"}
    print("serving2apps-answer " + json.dumps(answer), flush=True)
"""


def _lacks_a_dependency(app_dir: Path) -> bool:
    """True when this interpreter has no installation at all of a package the app depends on (a wheel the model
    shipped, installed from the app's wheels/ folder, say). Versions are not compared: a close version serves the
    check as well, where installing the app's own environment takes minutes and the package index."""
    import tomlkit

    from serving2apps.installed_requirements import unmet

    try:
        lines = tomlkit.parse((app_dir / "pyproject.toml").read_text())["project"]["dependencies"]
    except (OSError, KeyError, tomlkit.exceptions.ParseError):
        return False
    return unmet([str(line) for line in lines], versions=False) is not None


def app_python(app_dir: Path) -> list[str]:
    """How to run Python with the app's dependencies: this interpreter when it has them, else uv in the app."""
    if all(importlib.util.find_spec(m.split(".")[0]) for m in _SERVER_MODULES) and not _lacks_a_dependency(app_dir):
        with contextlib.suppress(ImportError):
            __import__("mlflow.genai.agent_server")
            return [sys.executable]
    if shutil.which("uv") is None:
        raise MigrationError(
            "cannot verify: this Python lacks the agent server's packages and uv is not installed",
            "install uv (pip install uv), or run `uv sync` in the app and verify from its environment",
        )
    return ["uv", "run", "--project", str(app_dir), "python"]


@contextlib.contextmanager
def _serving(python: list[str], app_dir: Path, env: dict, scratch: Path, timeout: float):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [*python, "-m", "agent_server.start_server", "--port", str(port), "--host", "127.0.0.1"]
    try:
        with running_server(command, app_dir, env, scratch / "server.log", base + "/health", timeout):
            yield base
    except ServerDidNotStart as exc:
        raise MigrationError(f"the migrated app did not start:\n{exc.log_tail}",
                             "run `uv run start-server` in the app to see the error") from None


@dataclass
class _Request:
    name: str
    body: dict
    required: bool  # the input example must work on the original; the others are skipped if it cannot answer


def requests_for(model: ModelInfo, agent_code: str, extra: Path | None) -> list[_Request]:
    # A ChatAgent's or ChatModel's example is in the chat format; one the app cannot be asked is S2A141.
    example = app_request(json.loads((model.root / model.input_example).read_text())) if model.input_example \
        else None
    example = example or DEFAULT_REQUEST
    found = [_Request("input example", example, True)]
    history = example.get("input") if isinstance(example.get("input"), list) else None
    if history:
        found.append(_Request("second turn", {**example, "input": [
            *history, {"role": "assistant", "content": "Noted."},
            {"role": "user", "content": "Thanks. One more question: what did I ask first?"}]}, False))
        # A conversation whose earlier turn called a tool: the history holds a function call and its output.
        found.append(_Request("earlier tool call", {**example, "input": [
            *history,
            {"type": "function_call", "call_id": "serving2apps-verify-call", "name": "lookup", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "serving2apps-verify-call", "output": "nothing found"},
            {"role": "assistant", "content": "I found nothing."},
            {"role": "user", "content": "Try again, please."}]}, False))
    if "custom_inputs" in agent_code and "custom_inputs" not in example:
        # The agent reads conversation state: exercise that path too.
        found.append(_Request("custom_inputs", {**example, "custom_inputs": {
            "thread_id": "serving2apps-verify", "user_id": "serving2apps-verify"}}, False))
    if extra is not None:
        try:
            lines = extra.read_text(errors="replace").splitlines()
        except OSError as exc:
            raise MigrationError(f"cannot read the requests file {extra}: {exc.strerror or exc}",
                                 "pass --requests a file that holds one JSON request per line") from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                body = json.loads(line)
            except ValueError as exc:
                raise MigrationError(f"{extra}, line {number}, is not a JSON request ({exc})",
                                     "write one JSON request per line, as /invocations takes it") from None
            if not isinstance(body, dict):
                raise MigrationError(f"{extra}, line {number}, is not a JSON object", "write one JSON request per line")
            found.append(_Request(f"{extra.name}:{number}", body, True))
    return found


class _Workspace:
    """The profile's host and credentials, resolved on the first call the original makes (an agent that calls
    nothing needs no workspace)."""

    def __init__(self, profile: str | None):
        self._profile = profile
        self._config: Config | None = None

    def __call__(self) -> tuple[str, dict[str, str]]:
        if self._config is None:
            from databricks.sdk.core import Config

            try:
                self._config = Config(profile=self._profile)
            except Exception as exc:  # noqa: BLE001 - the SDK raises ValueError and its own errors alike
                raise MigrationError(f"the original model called the workspace, and no credentials were found "
                                     f"({str(exc).splitlines()[0]})",
                                     "pass --profile (a ~/.databrickscfg profile), or --offline to answer model "
                                     "calls with serving2apps' deterministic model") from None
        return self._config.host, self._config.authenticate()



def _original_answers(python: list[str], model_dir: Path, requests: list[_Request], env: dict, scratch: Path,
                      timeout: float, offline: bool = False) -> list[dict]:
    run = subprocess.run([*python, "-c", _ORIGINAL, str(model_dir), json.dumps([r.body for r in requests])],
                         cwd=scratch, env=env, capture_output=True, text=True, timeout=timeout * len(requests))
    answers = [json.loads(line.split(" ", 1)[1]) for line in run.stdout.splitlines()
               if line.startswith("serving2apps-answer ")]
    if run.returncode != 0 or len(answers) != len(requests) or "error" in answers[0]:
        loaded = bool(answers)
        detail = answers[0]["error"] if loaded and "error" in answers[0] else run.stderr[-2000:]
        raise MigrationError(f"the original model did not answer its input example:\n{detail}",
                             _fix_for(detail, loaded, offline))
    for request, answer in zip(requests, answers):
        if "error" in answer and request.required:
            raise MigrationError(f"the original model did not answer {request.name}: {answer['error']}",
                                 "fix or remove that request")
    return answers


def _fix_for(failure: str, loaded: bool, offline: bool) -> str:
    """What to do when the original failed before answering, from the end of its traceback."""
    if "ModuleNotFoundError" in failure or "ImportError" in failure:
        return "check that the model's dependencies are in its requirements.txt and the app's pyproject.toml"
    if loaded and offline:
        return ("--offline answers the agent's model calls only (chat completions, responses): for an agent that "
                "calls other workspace APIs, run verify against the workspace (--profile)")
    if loaded:
        return "the original fails on its input example here too: pass requests it answers with --requests"
    # Most often the agent read at load what its endpoint's environment gave it (an API key, a setting).
    return ("give the original what it needs to start, as its endpoint did: export the environment variables the "
            "error names (this shell's environment reaches the original, less DATABRICKS_* credentials) and run "
            "verify again")


def _app_answer(base: str, request: dict, timeout: float) -> tuple[dict, list[dict]] | MigrationError:
    """The app's whole and streamed answers, or the error it gave (judged with the replay's misses: a call the
    original never made is answered 404, and the app then fails)."""
    try:
        return ask_app(base, request, timeout)
    except AppAnswerError as exc:
        how = "stream" if exc.streaming else "send"
        return MigrationError(str(exc), f"run `uv run start-server` in the app and {how} the request to see the error")


def _parity_table(rows: list[tuple[str, int, int, bool]]) -> str:
    width = max([len("request"), *(len(row[0]) for row in rows)]) + 1
    lines = [f"{'request':<{width}}{'original':>9}{'migrated':>9}  result"]
    for name, original, migrated, alike in rows:
        lines.append(f"{name:<{width}}{original:>9}{migrated:>9}  {'same' if alike else 'DIFFERENT'}")
    return "\n".join(lines)


def verify(app_dir: Path, model_dir: Path, timeout: float = 180, log=print, offline: bool = False,
           profile: str | None = None, requests_file: Path | None = None, own_environment: bool = True
           ) -> list[Finding]:
    app_dir, model_dir = Path(app_dir).resolve(), Path(model_dir).resolve()
    agent_file = app_dir / "agent_server" / "agent.py"
    if not agent_file.is_file():
        raise MigrationError(f"{app_dir} has no agent_server/agent.py to verify", "run serving2apps migrate in it first")
    agent_code = agent_file.read_text(errors="replace")
    model = read_model(model_dir)
    requests = requests_for(model, agent_code, requests_file)
    python = app_python(app_dir)
    original = (original_environment(model, python, log) if own_environment
                else OriginalEnvironment(python, "the app's environment (as asked)"))
    with tempfile.TemporaryDirectory(prefix="serving2apps-verify-") as folder, OutsideCallsProxy() as outside:
        scratch = Path(folder)
        # No tracking URI: the app's start_server then turns tracing off (the original script does it itself).
        base = {**os.environ, "MLFLOW_TRACKING_URI": "", **outside.environment(python_path=str(app_dir))}
        base.pop("DATABRICKS_APP_PORT", None)
        if offline:
            with ReplayServer(offline=True) as model_server:
                env = pointed_at(base, model_server.url, scratch)
                (expected, recording), original = _asked_in(original, python, log, lambda interpreter: (
                    _original_answers(interpreter, model_dir, requests, env, scratch, timeout, offline=True),
                    Recording()))
                kept = [(r, e) for r, e in zip(requests, expected) if "error" not in e]
                with _serving(python, app_dir, env, scratch, timeout) as url:
                    got = [_app_answer(url, r.body, timeout) for r, _ in kept]
                misses = model_server.misses
        else:
            def record(interpreter: list[str]) -> tuple[list[dict], Recording]:
                with RecordingProxy(_Workspace(profile)) as proxy:
                    try:
                        return _original_answers(interpreter, model_dir, requests,
                                                 pointed_at(base, proxy.url, scratch), scratch, timeout), \
                            proxy.recording
                    finally:
                        if isinstance(proxy.failure, MigrationError):  # the reason comes before the symptom
                            raise proxy.failure

            (expected, recording), original = _asked_in(original, python, log, record)
            kept = [(r, e) for r, e in zip(requests, expected) if "error" not in e]
            with ReplayServer(recording) as replay:
                with _serving(python, app_dir, pointed_at(base, replay.url, scratch), scratch, timeout) as url:
                    got = [_app_answer(url, r.body, timeout) for r, _ in kept]
                misses = replay.misses
    _keep(app_dir, recording, kept, offline)
    findings = _findings(kept, got, misses, recording, offline, log, dict(outside.hosts))
    if original.fallback:
        findings.append(Finding("S2A405", f"the original ran with the app's packages, not its own: "
                                          f"{original.fallback}"))
        log(f"S2A405: {findings[-1].message}")
    return findings


def _asked_in(original: OriginalEnvironment, app: list[str], log, ask):
    """ask(interpreter) in the original's environment; when the original fails there but has an environment of its
    own, once more in the app's (the comparison still means something; S2A405 says the versions were not the
    model's). Returns what ask returned and the environment that answered."""
    log(f"The original model runs in {original.description}.")
    try:
        return ask(original.python), original
    except MigrationError as exc:
        if original.python == app:
            raise
        reason = f"it did not answer in its own environment ({exc.problem.splitlines()[-1][:300]})"
        log(f"The original {reason}; asking it again in the app's environment.")
        return ask(app), OriginalEnvironment(app, "the app's environment", fallback=reason)


def _keep(app_dir: Path, recording: Recording, kept: list[tuple[_Request, dict]], offline: bool) -> None:
    """What the app's own regression test (tests/test_replay.py) replays: the recording, the requests with the
    original's answers, and the modules that replay and compare (copied into tests/replay_support/)."""
    folder = app_dir / KEPT
    recording.save(folder / "recording.json")
    (folder / "requests.jsonl").write_text("".join(json.dumps(r.body) + "\n" for r, _ in kept))
    (folder / "expected.jsonl").write_text("".join(
        json.dumps({"name": r.name, "request": r.body, **answer}) + "\n" for r, answer in kept))
    (folder / "settings.json").write_text(json.dumps({"offline": offline}) + "\n")
    support = app_dir / "tests" / "replay_support"
    support.mkdir(parents=True, exist_ok=True)
    (support / "__init__.py").write_text('"""Copied by `serving2apps verify` from the serving2apps package: the replay '
                                         'server and the comparison tests/test_replay.py uses."""\n')
    package = Path(__file__).parent
    for module in REPLAY_MODULES:
        shutil.copyfile(package / module, support / module)


def _same(expected: dict, result) -> tuple[bool, bool]:
    if isinstance(result, MigrationError):
        return False, False
    return same(expected, *result)


def _findings(kept, got, misses, recording: Recording, offline: bool, log, outside: dict[str, int]) -> list[Finding]:
    failed = [(request, result) for (request, _), result in zip(kept, got) if isinstance(result, MigrationError)]
    if offline and not failed and all(_same(e, r) == (True, True) for (_, e), r in zip(kept, got)):
        misses = []  # offline, both sides got the same 404s for what is not a model call: no diagnosis needed
    if failed and not misses:
        raise failed[0][1]
    rows, different = [], [f"{request.name} (the app failed: {error.problem.splitlines()[0][:200]})"
                            for request, error in failed]
    for (request, expected), result in zip(kept, got):
        if isinstance(result, MigrationError):
            continue
        answer, events = result
        same_invoke, same_stream = _same(expected, result)
        done = finished_items(events)
        original_done = original_finished(expected)
        rows.append((f"{request.name}: invoke (whole answer)", len(expected["invoke"].get("output") or []),
                     len(answer.get("output") or []), same_invoke))
        rows.append((f"{request.name}: stream (finished items)", len(original_done or []), len(done), same_stream))
        which = " and ".join(w for w, same in (("whole", same_invoke), ("streamed", same_stream)) if not same)
        if which:
            different.append(f"{request.name} ({which})")
    log(_parity_table(rows))
    source = "the offline model" if offline else f"{len(recording.exchanges)} recorded workspace call(s)"
    hosts = ", ".join(f"{host} ({calls})" for host, calls in sorted(outside.items()))
    not_replayed = f"; calls outside the workspace went to {hosts}, neither recorded nor replayed" if hosts else ""
    findings = []
    if not different and not misses:
        findings.append(Finding("S2A400", f"the migrated app answers {len(kept)} request(s) like the original, whole "
                                          f"and streamed, given the same model answers ({source}){not_replayed}"))
    else:
        if different:
            findings.append(Finding("S2A401", f"the migrated app's answers differ from the original's: "
                                              f"{', '.join(different)}"))
        if different and hosts:
            findings.append(Finding("S2A404", f"calls that bypassed the workspace host went to {hosts}: their "
                                              "answers were neither recorded nor replayed, which can explain the "
                                              "difference"))
        if misses:
            findings.append(Finding("S2A402", "the first call the migrated app made that the original never made: "
                                              + misses[0].describe(recording)))
        elif different and not offline and not recording.exchanges:
            findings.append(Finding("S2A403", "the original made no workspace call, so nothing was replayed"))
    for f in findings:
        log(f"{f.code}: {f.message}")
    return findings
