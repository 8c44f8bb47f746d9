"""The last rung of the ladder (S2A107): the file stays as it is, only `set_model(X)` changes.

Each `mlflow.models.set_model(X)` call becomes `SERVED_AGENT.set(X)` where it stands (inside `if`/`try`/`with`
or a factory function alike), and async `@invoke()`/`@stream()` handlers at the end of the file serve that
instance through `agent_server.adapters.ServedAgent`: predict/predict_stream in worker threads, load_context
run once with the model's artifacts beside agent.py. It works wherever Model Serving could load the model,
since it runs the same code in the same order.

Not handled: a file with no `set_model` call (Model Serving could not have loaded it either): refused
(S2A190).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, QualifiedNameProvider

from serving2apps.codemod.findings import Finding
from serving2apps.codemod.import_changes import ImportChanges
from serving2apps.codemod.names import SET_MODEL
from serving2apps.errors import MigrationError

CODES = ("S2A107", "S2A190")
ADAPTERS = "agent_server.adapters"
# Where the app answers a chat agent's old callers in the chat shapes (agent_server/chat_interface.py).
CHAT_ROUTE = "/chat/invocations"


class _ReplaceSetModel(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self, slot: str, imports: ImportChanges):
        super().__init__()
        self.slot, self.imports = slot, imports
        self.replaced = 0

    def leave_Call(self, original, updated):
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, original.func, set())}
        if not names & SET_MODEL:
            return updated
        self.replaced += 1
        self.imports.drop_unused(original.func)
        # Only the model argument matters to the server; set_model takes nothing else.
        args = [a.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT) for a in updated.args[:1]]
        return updated.with_changes(func=cst.parse_expression(f"{self.slot}.set"), args=args)


def _leading_imports(body) -> int:
    """Index after the docstring, `from __future__` and the first block of imports."""
    index = 0
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine) and all(
                isinstance(s, (cst.Import, cst.ImportFrom)) or (isinstance(s, cst.Expr) and index == 0
                                                                and isinstance(s.value, cst.SimpleString))
                for s in stmt.body):
            index += 1
            continue
        break
    return index


def keep_instance(module: cst.Module, filename: str, names, context_statement, register) -> tuple[str, list[Finding]]:
    """`names` allocates free module names; `context_statement(name)` builds the load_context context;
    `register(slot, imports)` returns the handler statements over the slot (scheduling their imports)."""
    wrapper = MetadataWrapper(module)
    imports = ImportChanges()
    slot = names.name("SERVED_AGENT")
    replace = _ReplaceSetModel(slot, imports)
    new = wrapper.visit(replace)
    if not replace.replaced:
        raise MigrationError(
            f"{filename} never calls mlflow.models.set_model(), so Model Serving could not have loaded it either",
            "add mlflow.models.set_model(YourAgent()) at the end of the agent file, as models from code require",
            code="S2A190",
        )
    model_context = names.name("model_context")
    imports.add(ADAPTERS, "ServedAgent")
    setup = [context_statement(model_context, imports),
             cst.parse_statement(f"{slot} = ServedAgent({model_context})\n")]
    at = _leading_imports(new.body)
    setup[0] = setup[0].with_changes(leading_lines=[cst.EmptyLine(), *setup[0].leading_lines])
    body = [*new.body[:at], *setup, *new.body[at:], *register(slot, imports)]
    new = imports.apply(new.with_changes(body=body))
    findings = [Finding("S2A107", f"the file is kept as it was; set_model() became {slot}.set() and the "
                                  "handlers serve that instance in worker threads", filename)]
    return new.code, findings

