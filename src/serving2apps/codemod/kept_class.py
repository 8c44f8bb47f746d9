"""The kept-class strategy (S2A101): the class stays, one module instance is created where the file created
it (or at the end), load_context runs once with the artifacts beside agent.py, and the handlers call its
methods. `set_model()` goes; its siblings in the same `try`/`if`/`with` stay.

Not handled (the kept instance is used instead): an instance built elsewhere (a factory, another module).
"""

from __future__ import annotations

import libcst as cst

from serving2apps.codemod.agent_location import AgentClass
from serving2apps.codemod.class_methods import assigned_in_body, methods_of
from serving2apps.codemod.handlers import Allocator, CodemodState, Entries, module_bound_names
from serving2apps.codemod.layout import Statement, assign_statement, respace
from serving2apps.codemod.load_context import context_imports, context_statement
from serving2apps.codemod.node_search import walk
from serving2apps.codemod.set_model_calls import strip_set_model
from serving2apps.errors import MigrationError

CODES = ("S2A101",)


def to_kept_class(module: cst.Module, agent: AgentClass, state: CodemodState, artifacts: dict[str, str],
                  model_config_file: str | None, reasons: list[str]) -> tuple[cst.Module, Entries]:
    if agent.instantiation is None and agent.class_index < 0:
        raise MigrationError(
            f"{state.filename}: cannot find where the served {agent.cls.name.value} instance is created",
            "create it at module level (AGENT = MyAgent()) and pass it to set_model(AGENT)",
        )
    names = Allocator(module_bound_names(module, set()))
    instance = agent.instance_name or names.name("AGENT")
    defined: set[str] = set()
    for c in _all_classes(module):  # the agent's class and those it may inherit from
        defined |= set(methods_of(c)) | set(assigned_in_body(c))  # `predict = shared_predict` makes a method too
    if not {"predict", "predict_stream"} & defined:
        raise MigrationError(f"{state.filename}: no class of the file defines predict or predict_stream",
                             "serve the agent object as it is")
    after_instance: list[Statement] = []
    if "load_context" in defined:
        context = names.name("model_context")
        after_instance = [
            context_statement(context, artifacts, model_config_file),
            cst.parse_statement(f"{instance}.load_context({context})\n"),
        ]
        context_imports(state.imports, artifacts, model_config_file)
    body: list[Statement] = []
    for i, stmt in enumerate(module.body):
        if i == agent.instantiation_index and agent.instance_name is None and agent.instantiation is not None:
            body.append(assign_statement(instance, agent.instantiation).with_changes(leading_lines=stmt.leading_lines))
            body.extend(after_instance)
        elif i == agent.instantiation_index:
            body.append(stmt)
            body.extend(after_instance)
        elif i not in agent.set_model_indexes:
            body.append(stmt)
        elif (kept := strip_set_model(stmt, agent.set_model_calls)) is not None:
            body.append(kept)
    for call in agent.set_model_calls:
        state.removed(call)
    removed = {i for i in agent.set_model_indexes if strip_set_model(module.body[i], agent.set_model_calls) is None}
    respace(body, module.body, removed - {agent.instantiation_index})
    if agent.instantiation is None:
        created = assign_statement(instance, cst.Call(cst.Name(agent.cls.name.value)))
        body.append(created.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()]))
        body.extend(after_instance)
    state.report("S2A101", f"class {agent.cls.name.value} kept, served through {instance}: " + "; ".join(reasons),
                 agent.cls)
    entries = (f"{instance}.predict" if "predict" in defined else None,
               f"{instance}.predict_stream" if "predict_stream" in defined else None)
    return module.with_changes(body=body), entries


def _all_classes(module) -> list[cst.ClassDef]:
    found = []

    class _Classes(cst.CSTVisitor):
        def visit_ClassDef(self, node):
            found.append(node)

    walk(module, _Classes())
    return found
