"""Coroutines run on an event loop every request shares (S2A132): reported, never rewritten.

Synchronous code runs in the app's worker threads, several requests at once. Code that drives coroutines on one
loop the agent keeps (`self.loop = asyncio.new_event_loop()` in `__init__`, a module-level loop) then has a second
request fail with "This event loop is already running", as a loop runs one thing at a time. The fix depends on what
is bound to that loop (a client session made on it), so it is left to a person: `asyncio.run(...)` per call, or
async mode, which awaits the coroutine instead.

Read from the output as written, with Python's `ast`: only functions that stayed synchronous are looked at. Not
reported: a loop the function makes or fetches itself (`asyncio.get_event_loop()`: each worker thread has its own),
and module-level code, which runs once.
"""

from __future__ import annotations

import ast

from serving2apps.codemod.findings import Finding

CODES = ("S2A132",)


def shared_loop_runs(code: str, filename: str) -> list[Finding]:
    try:
        tree = ast.parse(code)
    except SyntaxError:  # needs a newer Python than this one (reported by the self-check as not checked)
        return []
    module_level = {target.id for stmt in tree.body if isinstance(stmt, (ast.Assign, ast.AnnAssign))
                    for target in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
                    if isinstance(target, ast.Name)}
    findings = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        own = _locals(fn)
        for call in _calls_in(fn):
            if not (isinstance(call.func, ast.Attribute) and call.func.attr == "run_until_complete"):
                continue
            loop = call.func.value
            shared = (isinstance(loop, ast.Name) and loop.id in module_level and loop.id not in own) or (
                isinstance(loop, ast.Attribute) and isinstance(loop.value, ast.Name)
                and loop.value.id in ("self", "cls"))
            if shared:
                findings.append(Finding("S2A132", f"{fn.name} runs coroutines on {ast.unparse(loop)}, one event loop "
                                                  "for every request: concurrent requests fail with 'This event loop "
                                                  "is already running'", filename, call.lineno))
    return findings


def _locals(fn: ast.FunctionDef) -> set[str]:
    """Names the function binds itself (parameters, assignments), unless it declares them global."""
    declared_global = {name for node in ast.walk(fn) if isinstance(node, ast.Global) for name in node.names}
    params = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]}
    bound = {node.id for node in ast.walk(fn) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    return (params | bound) - declared_global


def _calls_in(fn: ast.FunctionDef):
    """The calls in the function's own body, not in the functions nested in it (looked at on their own)."""
    todo: list[ast.AST] = list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Call):
            yield node
        todo.extend(ast.iter_child_nodes(node))
