"""The agent file codemod: a ResponsesAgent model's agent file → handlers registered with the MLflow agent server.

A ladder of strategies, tried in order; the first whose output passes the independent self-check
(`self_check`) is used, and every output that fails it is reported (S2A180) and never returned:

1. functions (`to_functions`, S2A100): the class dissolves into module functions; in async mode `to_async`
   then makes the call graph async where it can, and the plain functions are tried again when it cannot.
2. kept class (`kept_class`, S2A101): the class stays, with the reason (`blockers`) it could not dissolve.
3. kept instance (`kept_instance`, S2A107): the file stays as it is and only `set_model(X)` changes; it works
   wherever Model Serving could load the model. A ChatAgent or ChatModel always takes this rung: the app serves
   it in the Responses format through its chat conversion layer (S2A108).

Either way the registered `@invoke()`/`@stream()` handlers are async; synchronous code runs in worker threads
(`agent_server.adapters`), so the server's event loop is never blocked (S2A110). A file that already registers
handlers goes to `registered_handlers` instead, which also makes a second run a no-op. The rewrites every
strategy shares run first: old type names (`legacy_types`), ModelConfig paths (`model_config_paths`),
and what differs in the app's runtime (`app_runtime`: on-behalf-of-user clients, the import-time choice of MLflow
experiment).

Refused, with a stable code: no agent and no set_model (S2A193, S2A190),
several agents and no set_model (S2A194), a file too long (S2A196) or nested too deeply (S2A195) to migrate in
seconds, and, as a serving2apps bug, no output passing the self-check (S2A191).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper

from serving2apps.codemod.agent_location import AgentClass, Scan, locate, serves_no_agent
from serving2apps.codemod.app_runtime import for_the_app
from serving2apps.codemod.blockers import Blocked, blockers
from serving2apps.codemod.findings import Finding
from serving2apps.codemod.handlers import AgentFileResult, Allocator, CodemodState, entry_bodies, handlers, module_bound_names
from serving2apps.codemod.hazards import report_hazards
from serving2apps.codemod.import_changes import ImportChanges
from serving2apps.codemod.import_time_calls import report_import_time_calls
from serving2apps.codemod.kept_class import to_kept_class
from serving2apps.codemod.kept_instance import CHAT_ROUTE, keep_instance
from serving2apps.codemod.legacy_types import rename_legacy_types, report_renamed
from serving2apps.codemod.line_map import place_lines
from serving2apps.codemod.load_context import context_imports, context_statement
from serving2apps.codemod.model_config_paths import may_call_model_config, point_model_config, report_pointed
from serving2apps.codemod.node_search import walk_with_metadata
from serving2apps.codemod.parsing import parse_source
from serving2apps.codemod.registered_handlers import migrate_registered
from serving2apps.codemod.self_check import check_output
from serving2apps.codemod.shared_loops import shared_loop_runs
from serving2apps.codemod.to_async import blocking_calls_in_async, make_async
from serving2apps.codemod.to_functions import to_functions
from serving2apps.errors import MigrationError

CODES = ("S2A101", "S2A108", "S2A110", "S2A172", "S2A176", "S2A180", "S2A182", "S2A191", "S2A195", "S2A196")

MODES = ("async", "sync")


class _NotApplicable(Exception):
    """A strategy that does not fit this file (why is in the message); the ladder moves on."""


@dataclass
class _Input:
    """The agent file after the rewrites every strategy shares (type names, ModelConfig paths), and what the
    strategies read from it, computed once per file."""

    source: str
    filename: str
    wrapper: MetadataWrapper
    scan: Scan
    renamed: list[str]
    pointed: int
    artifacts: dict[str, str]
    model_config_file: str | None
    shared_findings: list[Finding]  # the shared rewrites' own (app_runtime)
    per_thread_elsewhere: str | None  # per-thread state in a module of the agent's own
    _agent: AgentClass | MigrationError | None = field(default=None, init=False)
    _blockers: list[str] | None = field(default=None, init=False)

    @property
    def module(self) -> cst.Module:
        return self.wrapper.module

    def agent(self) -> AgentClass:
        """The served agent class; _NotApplicable when this file does not show it (the kept instance serves
        what set_model() gets: a class imported from code/, say)."""
        if self._agent is None:
            if self.scan.chat_interface():
                raise _NotApplicable(f"the agent is a {self.scan.chat_interface()}, which keeps its chat interface")
            try:
                self._agent = locate(self.module, self.scan, self.filename)
            except MigrationError as exc:
                if not self.scan.set_model_calls or serves_no_agent(self.module, self.scan):
                    raise
                self._agent = exc
        if isinstance(self._agent, MigrationError):
            raise _NotApplicable(self._agent.problem)
        return self._agent

    def blockers(self) -> list[str]:
        """Why the class cannot dissolve into functions (empty when it can)."""
        if self._blockers is None:
            self._blockers = blockers(self.module, self.agent())
        return self._blockers

    def state(self) -> CodemodState:
        """A fresh state per attempt: a failed strategy's scheduled imports must not leak into the next."""
        state = CodemodState(self.filename, self.wrapper)
        state.findings += self.shared_findings
        report_renamed(state, self.renamed)
        if self.model_config_file:
            report_pointed(state, self.pointed, self.model_config_file)
        return state


# Past this, libcst's passes take more than seconds (they grow with the file); agents are far smaller, and
# files this long are exported notebooks with data in them.
MAX_AGENT_LINES = 5000


def refuse_oversized(source: str, filename: str) -> None:
    """S2A196, before any parsing (the import rewrite that runs first would take minutes too)."""
    lines = source.count("\n") + 1
    if lines > MAX_AGENT_LINES:
        raise MigrationError(f"{filename} has {lines} lines; serving2apps migrates agent files of up to "
                             f"{MAX_AGENT_LINES} lines", "move data and helpers out of the agent file into code/ "
                             "modules (they are copied as they are) and log the model again", code="S2A196")


def migrate_agent_source(
    source: str,
    filename: str = "agent.py",
    artifacts: dict[str, str] | None = None,
    model_config_file: str | None = None,
    mode: str = "sync",
    per_thread_elsewhere: str | None = None,
) -> AgentFileResult:
    """Migrate the agent file's source; refused (S2A195, S2A196) when it is too large or too deeply nested for
    the codemod to finish in seconds. See `_migrate_agent_source`. `per_thread_elsewhere` names per-thread state a
    module of the agent's own keeps (`to_async.per_thread_state_in`), which keeps async mode from converting."""
    refuse_oversized(source, filename)
    # A byte order mark (an editor on Windows writes one) is no character of the code: Python skips it in a file,
    # but the self-check's parser of text refuses it.
    source = source.removeprefix("\ufeff")
    try:
        return _migrate_agent_source(source, filename, artifacts, model_config_file, mode, per_thread_elsewhere)
    except RecursionError:
        raise MigrationError(f"{filename} nests an expression too deeply for the codemod (a very long chain of "
                             "operators or calls)", "split that expression into several statements and log the "
                             "model again", code="S2A195") from None


def _migrate_agent_source(source: str, filename: str, artifacts: dict[str, str] | None,
                          model_config_file: str | None, mode: str, per_thread_elsewhere: str | None
                          ) -> AgentFileResult:
    """Migrate the agent file's source. `artifacts` maps artifact keys to their new paths relative to the
    file (as load_context's context.artifacts will see them); `model_config_file` likewise.

    Strategies are tried in order and the first whose output passes the self-check is used: functions (in
    async mode converted by `to_async` first, then without the conversion), kept class, kept instance. An
    output that fails the check is reported (S2A180) with its problems and never returned."""
    parsed, renamed = rename_legacy_types(parse_source(source, filename))
    pointed = 0
    if model_config_file and may_call_model_config(source):
        parsed, pointed = point_model_config(parsed, model_config_file)
    parsed, shared_findings = for_the_app(source, parsed, filename)
    wrapper = MetadataWrapper(parsed)
    scan = Scan()
    walk_with_metadata(wrapper, scan)
    given = _Input(source, filename, wrapper, scan, renamed, pointed, artifacts or {}, model_config_file,
                   shared_findings, per_thread_elsewhere)
    if scan.registered:
        result = migrate_registered(wrapper.module, filename)
        result.findings[:0] = shared_findings
        problems = _self_check(given, result)
        if problems:
            raise MigrationError(
                f"{filename} registers its own handlers, and making them safe to serve failed the self-check "
                f"({'; '.join(problems[:3])})",
                "fix the registered @invoke/@stream handlers by hand (async def, once each), and please report "
                "the file to serving2apps", code="S2A191")
        return result

    failures: list[Finding] = []
    why = ""  # why the strategies tried so far were not used
    for label, attempt in _ladder(given, mode):
        try:
            result = attempt(why)
        except _NotApplicable as exc:
            why = str(exc)
            continue
        problems = _self_check(given, result)
        if problems:
            failures.append(Finding("S2A180", f"the {label} output failed the self-check "
                                              f"({'; '.join(problems[:3])}), so it was not used", filename))
            why = f"the {label} output did not pass the self-check (S2A180)"
            continue
        result.findings[:0] = failures
        result.findings += shared_loop_runs(result.code, filename)
        return result
    raise MigrationError(  # only when even the file as it was cannot be served: a serving2apps bug
        f"{filename}: no strategy produced an agent that passes the self-check",
        "please report the file to serving2apps; meanwhile migrate it by hand", code="S2A191")


Attempt = Callable[[str], AgentFileResult]  # why the earlier strategies were not used → the output


def _ladder(given: _Input, mode: str) -> Iterator[tuple[str, Attempt]]:
    """(label, attempt) pairs, safest last. An attempt raises _NotApplicable when the file does not fit it."""
    if mode == "async":
        yield "functions strategy converted to async", lambda why: _functions_attempt(given, mode, native=True)
    yield "functions strategy", lambda why: _functions_attempt(given, mode, native=False)
    yield "kept class", lambda why: _kept_class_attempt(given, mode, why)
    yield "kept instance", lambda why: _kept_instance_attempt(given, mode, why)


def _functions_attempt(given: _Input, mode: str, native: bool) -> AgentFileResult:
    agent = given.agent()
    if given.blockers():
        raise _NotApplicable(given.blockers()[0])
    state = given.state()
    report_hazards(given.module, agent.cls, state)
    try:
        new_module, entries = to_functions(given.module, agent, state, given.artifacts, given.model_config_file)
    except Blocked as exc:
        raise _NotApplicable(str(exc)) from None
    if not native:
        if mode == "async":
            state.report("S2A172", "the converted functions stay synchronous and run in worker threads")
        return _with_handlers(new_module, entries, set(), state, "functions", state.imports)
    # The async conversion reads the imports, so they are settled first.
    result = make_async(state.imports.apply(new_module), [e for e in entries if e], given.filename,
                        given.per_thread_elsewhere)
    if not result.async_functions:  # nothing to convert: exactly the sync mode output, with the reason
        sync = _functions_attempt(given, "sync", native=False)
        sync.findings += result.findings
        return sync
    state.findings += result.findings
    return _with_handlers(result.module, entries, result.async_functions, state, "functions")


def _kept_class_attempt(given: _Input, mode: str, why: str) -> AgentFileResult:
    agent = given.agent()
    reasons = given.blockers() or [why]
    if agent.instantiation is None and given.scan.set_model_calls:
        raise _NotApplicable("set_model() is handed an object that is not the class's one instance built by the "
                             "module's own statements (a factory's, another module's, one built in a with block, "
                             "or one chosen among several)")
    state = given.state()
    report_hazards(given.module, agent.cls, state)
    report_import_time_calls(given.module, agent.instance_name, state)
    try:
        new_module, entries = to_kept_class(given.module, agent, state, given.artifacts, given.model_config_file,
                                            reasons)
    except MigrationError as exc:
        raise _NotApplicable(exc.problem) from None
    if mode == "async":
        state.report("S2A176", "the class was kept (S2A101), so its methods stay synchronous and run in worker threads")
    return _with_handlers(new_module, entries, set(), state, "adapter", state.imports)


def _kept_instance_attempt(given: _Input, mode: str, why: str) -> AgentFileResult:
    state = given.state()
    try:
        report_hazards(given.module, given.agent().cls, state)
    except _NotApplicable as exc:
        why = str(exc)
    for name in given.scan.served_names():
        report_import_time_calls(given.module, name, state)
    module = state.imports.apply(given.module)
    names = Allocator(module_bound_names(module, set()))

    def build_context(name: str, imports: ImportChanges) -> cst.SimpleStatementLine:
        context_imports(imports, given.artifacts, given.model_config_file)
        return context_statement(name, given.artifacts, given.model_config_file)

    def register(slot: str, imports: ImportChanges) -> list[cst.BaseStatement]:
        return handlers(f"return await {slot}.invoke(request)",
                        f"async for event in {slot}.stream(request):\n        yield event", set(), names, imports)

    code, findings = keep_instance(module, given.filename, names, build_context, register)
    state.findings += findings
    state.report("S2A101", f"the agent object is served as it is: {why}")
    chat = given.scan.chat_interface()
    if chat:
        state.report("S2A108", f"the agent is a {chat}: the app serves it in the Responses format through "
                               "agent_server/chat_interface.py (its callers' change is in the report), and in the chat "
                               f"format at {CHAT_ROUTE}")
    if mode == "async":
        state.report("S2A176", "the agent object was kept, so its methods stay synchronous and run in worker threads")
    return AgentFileResult(code, "instance", state.findings, chat or "ResponsesAgent")


def _with_handlers(new_module: cst.Module, entries, native: set[str], state: CodemodState, strategy: str,
                   imports: ImportChanges | None = None) -> AgentFileResult:
    """Append the handlers and apply the import changes: those scheduled on `imports` (the strategy's own,
    applied in the same pass) and the handlers' own."""
    if set(entries) - native - {None}:
        state.report("S2A110", "predict/predict_stream are served through async adapters that run them in worker threads")
    imports = imports or ImportChanges()
    names = Allocator(module_bound_names(new_module, set()))
    registration = handlers(*entry_bodies(entries, native), names, imports)
    new_module = imports.apply(new_module.with_changes(body=[*new_module.body, *registration]))
    return AgentFileResult(new_module.code, strategy, state.findings)


def _self_check(given: _Input, result: AgentFileResult) -> list[str]:
    """The independent self-check's problems with this output; when there are none, the findings' lines are
    placed in the output (beside the original file's)."""
    check = check_output(given.source, result.code, _blocking_messages)
    if not check.ok:
        return check.problems
    if check.unchecked:
        result.findings.append(Finding("S2A182", f"the output was not self-checked: {check.unchecked}",
                                       given.filename))
    result.findings = place_lines(result.findings, given.source, result.code)
    return []


def _blocking_messages(code: str, functions: set[str]) -> list[str]:
    return [f"{f.message} (line {f.line})" for f in blocking_calls_in_async(code, "agent.py", functions)]
