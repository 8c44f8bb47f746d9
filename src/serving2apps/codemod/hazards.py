"""Concurrency hazards the app inherits whatever the strategy: per-request writes to shared state (S2A130: the
agent's attributes, and the module's own objects), the request changed in place (S2A131), a second trace span
(S2A121). Reported, never rewritten: the fix needs a person who knows which state is meant to be shared.

Not handled: a shared object handed to another function that changes it (`save(self.history, m)`), kept under a
second name beyond one function (`self.h = HISTORY`), or changed by a function of another module; `add` on a set
the agent did not build itself (one passed in, or returned by a call), since stores' clients have an `add` that
writes elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Collection

import libcst as cst
from libcst.helpers import get_full_name_for_node

from serving2apps.codemod.class_methods import (ENTRY_POINTS, SPECIAL_METHODS, builds_a_set, changes_in_place,
                                                decorator_names, methods_of, rooted_in, self_uses)
from serving2apps.codemod.handlers import CodemodState
from serving2apps.codemod.names import TRACE
from serving2apps.codemod.node_search import Index, find_all, walk
from serving2apps.codemod.user_clients import HELPERS as USER_HELPERS

CODES = ("S2A121", "S2A130", "S2A131")
_RUN_ONCE = {"functools.cached_property", "cached_property", "functools.cache", "cache", "functools.lru_cache",
             "lru_cache"}


def report_hazards(module: cst.Module, cls: cst.ClassDef, state: CodemodState) -> None:
    """Concurrency hazards that exist in both strategies: per-request state and request mutation."""
    methods = methods_of(cls)
    uses = self_uses(cls)
    indexes: dict[cst.FunctionDef, Index] = {}

    def nodes(fn: cst.FunctionDef) -> Index:
        """The function's nodes, walked once however many questions are asked of them."""
        if fn not in indexes:
            indexes[fn] = Index(fn)
        return indexes[fn]

    def reached(starts: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = [s for s in starts if s in methods]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo += [a.attr.value for a in uses[name].attributes if a.attr.value in methods] if name in uses else []
        return seen

    # A helper only set-up calls (`self._setup()` from __init__) runs once, before any request.
    per_thread = _per_thread_attributes(cls)
    module_state = _module_objects(module)
    setup = reached(set(SPECIAL_METHODS))
    set_up_only = setup - reached(set(methods) - setup | set(ENTRY_POINTS))
    request_path: list[cst.FunctionDef] = []  # the methods requests run, then the module's functions they call
    for name, use in uses.items():
        if name in SPECIAL_METHODS or name in set_up_only:
            continue
        fn = methods[name]
        users = _users_clients(nodes(fn))
        for attr in use.written:
            why = (": it holds a client acting as the user who sent the request, which the next request, another "
                   "user's, would use" if attr.attr.value in users else "")
            state.report("S2A130", f"{name} writes self.{attr.attr.value}, shared by every request{why}", attr)
        for attr, how in use.changed:
            if attr.attr.value in per_thread:
                continue  # `self._local.user = ...`: each request's thread has its own (async mode keeps the threads)
            state.report("S2A130", f"{name} changes self.{attr.attr.value} in place ({how}), shared by every request",
                         attr)
        # What SelfUse cannot see: a change through a local bound to the attribute (`h = self.sessions[t]`).
        in_place = _changes_in_place(fn, nodes(fn), _attribute_of(use.self_name, per_thread), ())
        for node, attr_name, how, alias in in_place:
            if alias is not None:
                state.report("S2A130", f"{name} changes self.{attr_name} in place ({_how(how, alias)}), shared by "
                                       "every request", node)
        request_path.append(fn)
        if name in ENTRY_POINTS:
            params = fn.params.params
            if len(params) > 1:
                _report_request_mutation(fn, params[1].name.value, state)
            if any(d in TRACE or d in {"mlflow.trace", "trace"} for d in decorator_names(fn)):
                state.report("S2A121", f"{name} is decorated with @mlflow.trace", fn)

    functions = {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}
    todo = list(request_path)
    while todo:
        called = {c.func.value for c in nodes(todo.pop()).all(cst.Call) if isinstance(c.func, cst.Name)}
        for function in (functions[n] for n in sorted(called) if n in functions):
            if function not in request_path:
                request_path.append(function)
                todo.append(function)
    for fn in request_path:
        if set(decorator_names(fn)) & _RUN_ONCE:
            continue  # a cached property or function runs once (per argument): its writes are lazy set-up
        for node, what in _module_state_writes(fn, nodes(fn), module_state):
            state.report("S2A130", f"{fn.name.value} {what}, shared by every request (and not by the app's other "
                                   "worker processes)", node)


def _module_objects(module: cst.Module) -> dict[str, cst.BaseExpression]:
    """Names the module binds by assignment at its top level, with the value bound last: its own objects (not
    imports, functions, classes)."""
    names: dict[str, cst.BaseExpression] = {}
    for stmt in module.body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Assign):
                targets, value = [t.target for t in small.targets], small.value
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                targets, value = [small.target], small.value
            else:
                continue
            names |= {t.value: value for t in targets if isinstance(t, cst.Name)}
    return names


def _module_state_writes(fn: cst.FunctionDef, nodes: Index, module_state: dict[str, cst.BaseExpression]
                         ) -> list[tuple[cst.CSTNode, str]]:
    """(node, what it does) for each write of a module object in the method: rebinding a name it declares
    `global`, changing one in place (`HISTORY.append(x)`, `CACHE[k] = v`, `del SEEN[k]`, `SESSIONS[t].append(m)`,
    directly or through a local bound to it). A name the method binds itself is its own local, whatever the
    module has."""
    declared = {n.name.value for g in nodes.all(cst.Global) for n in g.names}
    shared = (module_state.keys() - _locals(fn, nodes)) | declared
    sets = {name for name in shared if builds_a_set(module_state.get(name))}
    found: list[tuple[cst.CSTNode, str]] = [
        (node, f"rebinds the module's {target.value}") for node, target in _assignments(nodes)
        if isinstance(target, cst.Name) and target.value in declared]
    in_place = _changes_in_place(fn, nodes, lambda e: e.value if isinstance(e, cst.Name) and e.value in shared
                                 else None, sets)
    return found + [(node, f"changes the module's {name} in place ({_how(how, alias)})")
                    for node, name, how, alias in in_place]


def _attribute_of(self_name: str, per_thread: set[str]) -> Callable[[cst.BaseExpression], str | None]:
    """What names `self.x` as x, for the attributes requests share (not a `threading.local()`)."""
    def attribute(expr: cst.BaseExpression) -> str | None:
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == self_name \
                and expr.attr.value not in per_thread:
            return expr.attr.value
        return None
    return attribute


def _how(how: str, alias: str | None) -> str:
    return f"{how}, through {alias}" if alias else how


def _locals(fn: cst.FunctionDef, nodes: Index, but_plain_assignments: bool = False) -> set[str]:
    """The names a function binds: its parameters, and what it assigns, loops over or binds with `as`; without
    `name = value` when asked."""
    assigned: list[cst.CSTNode] = [target for _, target in _assignments(nodes)
                                   if not (but_plain_assignments and isinstance(target, cst.Name))]
    bound: list[cst.CSTNode] = [p.name for p in find_all(fn.params, cst.Param)] + assigned
    bound += [a.target for a in nodes.all(cst.AnnAssign)]
    bound += [f.target for f in nodes.all(cst.For)] + [a.name for a in nodes.all(cst.AsName)]
    return {name for node in bound for name in _bound_names(node)}


def _assignments(nodes: Index) -> list[tuple[cst.CSTNode, cst.BaseExpression]]:
    """(node, target) for each `target = ...` and `target += ...` among the nodes."""
    found: list[tuple[cst.CSTNode, cst.BaseExpression]] = [(a, a.target) for a in nodes.all(cst.AssignTarget)]
    return found + [(a, a.target) for a in nodes.all(cst.AugAssign)]


def _container(expr: cst.BaseExpression) -> cst.BaseExpression:
    """The object `expr` is an item of, however deep (`X` for `X[k]`, `X[k][j]`, `X.get(k)`), else `expr`. A slice
    (`X[:]`) is a copy, not an item."""
    while True:
        if isinstance(expr, cst.Subscript) and not any(isinstance(e.slice, cst.Slice) for e in expr.slice):
            expr = expr.value
        elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get":
            expr = expr.func.value
        else:
            return expr


def _changes_in_place(fn: cst.FunctionDef, nodes: Index, shared: Callable[[cst.BaseExpression], str | None],
                      sets: Collection[str]) -> list[tuple[cst.CSTNode, str, str, str | None]]:
    """(node, object, how, the local it went through) for each change in place of a shared object (`shared` names
    the one an expression is, else None) in the function: an item set or deleted, an in-place method called, on the
    object, an item of it, or a local the function binds only to one of those (`history = SESSIONS[thread];
    history.append(m)`)."""
    bindings: dict[str, set[str | None]] = {}
    for assign in nodes.all(cst.Assign):
        for target in assign.targets:
            if isinstance(target.target, cst.Name):
                bindings.setdefault(target.target.value, set()).add(shared(_container(assign.value)))
    others = _locals(fn, nodes, but_plain_assignments=True)
    aliases = {name: owner for name, (owner, *more) in bindings.items()
               if owner is not None and not more and name not in others}

    def owner(expr: cst.BaseExpression) -> tuple[str, str | None] | None:
        expr = _container(expr)
        if (name := shared(expr)) is not None:
            return name, None
        if isinstance(expr, cst.Name) and expr.value in aliases:
            return aliases[expr.value], expr.value
        return None

    found: list[tuple[cst.CSTNode, str, str, str | None]] = []
    items: list[tuple[cst.CSTNode, cst.BaseExpression, str]] = [
        (node, target, "item assigned") for node, target in _assignments(nodes)]
    items += [(d, d.target, "item deleted") for d in nodes.all(cst.Del)]
    for node, written, how in items:
        if isinstance(written, cst.Subscript) and (o := owner(written.value)) is not None:
            found.append((node, o[0], how, o[1]))
    for call in nodes.all(cst.Call):
        if isinstance(call.func, cst.Attribute) and (o := owner(call.func.value)) is not None \
                and changes_in_place(call, sets):
            found.append((call, o[0], call.func.attr.value, o[1]))
    return found


def _bound_names(target: cst.CSTNode) -> set[str]:
    """The names an assignment target binds: `x`, `a, (b, *c)`; `x[k]` and `x.y` bind none (they change x)."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {name for element in target.elements for name in _bound_names(element.value)}
    return set()


def _users_clients(nodes: Index) -> set[str]:
    """Attributes the method (its nodes) sets to something built from the user's client (user_clients rewrote Model
    Serving's on-behalf-of-user clients to the scaffold's helpers)."""
    return {target.target.attr.value for assign in nodes.all(cst.Assign) for target in assign.targets
            if isinstance(target.target, cst.Attribute)
            and any(get_full_name_for_node(call.func) in USER_HELPERS for call in find_all(assign.value, cst.Call))}


def _per_thread_attributes(cls: cst.ClassDef) -> set[str]:
    """Attributes set to a `threading.local()`: what a request writes into one stays with its thread."""
    return {target.target.attr.value for assign in find_all(cls, cst.Assign)
            if isinstance(assign.value, cst.Call) and get_full_name_for_node(assign.value.func) == "threading.local"
            for target in assign.targets if isinstance(target.target, cst.Attribute)}


def _report_request_mutation(fn: cst.FunctionDef, request: str, state: CodemodState) -> None:
    class _Mutation(cst.CSTVisitor):
        def visit_AssignTarget(self, node):
            if not isinstance(node.target, cst.Name) and rooted_in(node.target, request):
                state.report("S2A131", f"{fn.name.value} assigns to {request}", node)

        def visit_Call(self, node):
            if isinstance(node.func, cst.Attribute) and rooted_in(node.func.value, request) \
                    and changes_in_place(node, ()):
                state.report("S2A131", f"{fn.name.value} changes {request} in place ({node.func.attr.value})", node)

    walk(fn.body, _Mutation())
