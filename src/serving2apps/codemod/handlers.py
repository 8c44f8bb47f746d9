"""The pieces every strategy shares: the result type, free module names, and the registered async handlers.

Every strategy ends the same way: `@invoke()` and `@stream()` async handlers over the agent's entry points,
appended to the module, with names that collide with nothing the file already uses.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from serving2apps.codemod.findings import Finding
from serving2apps.codemod.import_changes import ImportChanges
from serving2apps.codemod.name_uses import name_uses
from serving2apps.codemod.names import RESPONSES_MODULE


@dataclass
class AgentFileResult:
    code: str
    strategy: str  # "functions" | "adapter" | "instance" | "registered" | "unchanged"
    findings: list[Finding] = field(default_factory=list)
    interface: str = "ResponsesAgent"  # or "ChatAgent", "ChatModel": what callers of the endpoint spoke


class CodemodState:
    """One strategy attempt's findings and scheduled import changes."""

    def __init__(self, filename: str, wrapper: MetadataWrapper):
        self.filename = filename
        self.positions = wrapper.resolve(PositionProvider)
        self.findings: list[Finding] = []
        self.imports = ImportChanges()

    def removed(self, stmt: cst.CSTNode) -> None:
        self.imports.drop_unused(stmt)

    def report(self, code: str, message: str, node=None):
        self.findings.append(Finding(code, message, self.filename, self._line(node)))

    def _line(self, node) -> int | None:
        position = self.positions.get(node) if node is not None else None
        return position.start.line if position else None


class Allocator:
    """Picks module-level names that collide with nothing already used."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken) | set(dir(builtins))

    def name(self, wanted: str) -> str:
        candidate = wanted
        n = 1
        while candidate in self.taken:
            candidate = f"agent_{wanted.lstrip('_')}" if n == 1 else f"agent_{wanted.lstrip('_')}_{n}"
            n += 1
        self.taken.add(candidate)
        return candidate


def identifiers(node: cst.CSTNode) -> set[str]:
    return set(name_uses(node))


def module_bound_names(module: cst.Module, skip: set[int]) -> set[str]:
    names = set()
    for i, stmt in enumerate(module.body):
        if i in skip:
            continue
        names |= identifiers(stmt)
    return names


Entries = tuple[str | None, str | None]  # what serves predict and predict_stream (None: the file has none)


def entry_bodies(entries: Entries, native: set[str]) -> tuple[str, str, set[str]]:
    """The @invoke/@stream handler bodies over the agent's entry points. Targets named in `native` are
    coroutines / async generators (async mode) and are awaited directly; the others are synchronous and run
    in worker threads."""
    invoke_target, stream_target = entries
    adapters = set()
    if invoke_target in native:
        invoke_body = f"return await {invoke_target}(request)"
    elif invoke_target:
        invoke_body = f"return await in_worker_thread({invoke_target}, request)"
        adapters.add("in_worker_thread")
    elif stream_target in native:
        invoke_body = f"return await response_from_async_stream_events({stream_target}(request))"
        adapters.add("response_from_async_stream_events")
    else:
        invoke_body = f"return await in_worker_thread(lambda: response_from_stream_events({stream_target}(request)))"
        adapters |= {"in_worker_thread", "response_from_stream_events"}
    if stream_target in native:
        stream_body = (f"async for event in {stream_target}(request):\n"
                       "        yield event")
    elif stream_target:
        stream_body = (f"async for event in iterate_in_worker_thread({stream_target}, request):\n"
                       "        yield event")
        adapters.add("iterate_in_worker_thread")
    else:
        call = f"await {invoke_target}(request)" if invoke_target in native else \
            f"await in_worker_thread({invoke_target}, request)"
        stream_body = (f"response = {call}\n"
                       "    for event in stream_events_from_response(response):\n"
                       "        yield event")
        adapters.add("stream_events_from_response")
        if invoke_target not in native:
            adapters.add("in_worker_thread")
    return invoke_body, stream_body, adapters


def handlers(invoke_body: str, stream_body: str, adapters: set[str], names: Allocator,
              imports: ImportChanges) -> list[cst.BaseStatement]:
    """The registered @invoke/@stream async handlers, with the imports they need scheduled on `imports`."""
    code = (
        "@invoke()\n"
        f"async def {names.name('invoke_agent')}(request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n"
        f"    {invoke_body}\n"
        "\n\n@stream()\n"
        f"async def {names.name('stream_agent')}(request: ResponsesAgentRequest) "
        "-> AsyncIterator[ResponsesAgentStreamEvent]:\n"
        f"    {stream_body}\n"
    )
    for module, name in [
        ("collections.abc", "AsyncIterator"),
        ("mlflow.genai.agent_server", "invoke"),
        ("mlflow.genai.agent_server", "stream"),
        (RESPONSES_MODULE, "ResponsesAgentRequest"),
        (RESPONSES_MODULE, "ResponsesAgentResponse"),
        (RESPONSES_MODULE, "ResponsesAgentStreamEvent"),
        *[("agent_server.adapters", name) for name in sorted(adapters)],
    ]:
        imports.add(module, name)
    two_blank_lines = [cst.EmptyLine(), cst.EmptyLine()]
    return [stmt.with_changes(leading_lines=two_blank_lines) for stmt in cst.parse_module(code).body]
