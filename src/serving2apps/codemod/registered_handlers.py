"""Files that already register `@invoke()`/`@stream()` handlers (often around the agent, beside set_model).

- Every handler registered is `async def` and nothing calls set_model: left unchanged (S2A102), which is also
  what makes a second run of the migration a no-op.
- A synchronous handler would block the server's event loop: the decorators move off the file's own
  functions onto new async handlers that run them in worker threads (S2A104); a missing stream (or invoke)
  handler is built from the other (S2A111).
- `set_model()` calls are removed where they stand, siblings kept (S2A105): the server serves the handlers.

Not handled: handlers registered more than once, or inside functions or conditions; the self-check then
refuses the output (S2A191) rather than guess which registration the server would keep.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, QualifiedNameProvider

from serving2apps.codemod.findings import Finding
from serving2apps.codemod.handlers import AgentFileResult, Allocator, entry_bodies, handlers, module_bound_names
from serving2apps.codemod.import_changes import ImportChanges
from serving2apps.codemod.names import SERVER_DECORATORS, SET_MODEL
from serving2apps.codemod.node_search import walk_with_metadata
from serving2apps.codemod.set_model_calls import SetModelRemover

CODES = ("S2A102", "S2A104", "S2A105", "S2A111")


class _Registered(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self):
        self.handlers: dict[str, cst.FunctionDef] = {}  # "invoke" / "stream" → the top-level function

    def _target(self, decorator: cst.Decorator) -> str | None:
        node = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())} & SERVER_DECORATORS
        return sorted(names)[0].rsplit(".", 1)[1] if names else None

    def visit_FunctionDef(self, node):
        for decorator in node.decorators:
            target = self._target(decorator)
            if target:
                self.handlers[target] = node
        return False


class _Unregister(SetModelRemover):
    """Takes the server decorators off the given functions; removes set_model() calls, siblings kept."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self, functions: set[str], imports: ImportChanges):
        super().__init__()
        self.functions, self.imports = functions, imports

    def _names(self, node) -> set[str]:
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def is_set_model(self, call: cst.Call) -> bool:
        return bool(self._names(call.func) & SET_MODEL)

    def on_removed(self, statement: cst.Expr) -> None:
        self.imports.drop_unused(statement)

    def leave_FunctionDef(self, original, updated):
        if original.name.value not in self.functions:
            return updated
        kept = []
        for original_d, d in zip(original.decorators, updated.decorators):
            target = original_d.decorator.func if isinstance(original_d.decorator, cst.Call) else original_d.decorator
            if self._names(target) & SERVER_DECORATORS:
                self.imports.drop_unused(original_d)
            else:
                kept.append(d)
        return updated.with_changes(decorators=kept)


def migrate_registered(module: cst.Module, filename: str) -> AgentFileResult:
    wrapper = MetadataWrapper(module)
    registered = _Registered()
    walk_with_metadata(wrapper, registered)
    sync = {t: fn for t, fn in registered.handlers.items() if fn.asynchronous is None}
    rewrap = bool(sync) or len(registered.handlers) < 2
    imports = ImportChanges()
    unregister = _Unregister({fn.name.value for fn in registered.handlers.values()} if rewrap else set(), imports)
    new = wrapper.visit(unregister)
    findings = []
    if unregister.removed:
        findings.append(Finding("S2A105", f"{unregister.removed} set_model() call(s) removed: the agent "
                                          "server serves the registered handlers", filename))
    if not rewrap:
        if not findings:
            return AgentFileResult(module.code, "unchanged",
                                   [Finding("S2A102", "already registers @invoke/@stream handlers; left unchanged",
                                            filename)])
        return AgentFileResult(imports.apply(new).code, "registered", findings)
    invoke_fn, stream_fn = (registered.handlers.get(t) for t in ("invoke", "stream"))
    native = {fn.name.value for fn in registered.handlers.values() if fn.asynchronous is not None}
    names = Allocator(module_bound_names(new, set()))
    bodies = entry_bodies((invoke_fn.name.value if invoke_fn else None, stream_fn.name.value if stream_fn else None),
                          native)
    new = new.with_changes(body=[*new.body, *handlers(*bodies, names, imports)])
    if sync:
        findings.append(Finding("S2A104", f"synchronous handler(s) {', '.join(fn.name.value for fn in sync.values())}"
                                          " now run in worker threads under new async handlers", filename))
    if len(registered.handlers) < 2:
        findings.append(Finding("S2A111", "only one of @invoke/@stream was registered; the other is built from it",
                                filename))
    return AgentFileResult(imports.apply(new).code, "registered", findings)
