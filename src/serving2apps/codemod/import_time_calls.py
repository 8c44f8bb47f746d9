"""S2A106: calls on the agent instance left at module level, which would run at every start of the app."""

from __future__ import annotations

import libcst as cst

from serving2apps.codemod.handlers import CodemodState
from serving2apps.codemod.node_search import walk

CODES = ("S2A106",)


def _is_main_guard(stmt) -> bool:
    return isinstance(stmt, cst.If) and "__main__" in cst.Module([]).code_for_node(stmt.test)


def report_import_time_calls(module: cst.Module, instance_name: str | None, state: CodemodState) -> None:
    """Calls on the agent instance left at module level (a notebook's smoke test) run when the app starts:
    they keep working on the kept instance, but each one calls the agent (and its model) at every start-up.
    Those under `if __name__ == "__main__":` never run in the app and are not reported."""
    if not instance_name:
        return
    found: list[cst.Call] = []

    class _Calls(cst.CSTVisitor):
        def visit_FunctionDef(self, node):
            return False

        def visit_ClassDef(self, node):
            return False

        def visit_Lambda(self, node):
            return False

        def visit_Call(self, node):
            root = node.func
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name) and root.value == instance_name and root is not node.func:
                found.append(node)

    for stmt in module.body:
        if not _is_main_guard(stmt):
            walk(stmt, _Calls())
    for call in found:
        what = cst.Module([]).code_for_node(call.func)
        state.report("S2A106", f"{what}() runs at import, so the agent answers once at every start of the app", call)
