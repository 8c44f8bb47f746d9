"""How an agent class's methods are shaped and how they use `self`: the facts the functions strategy and its
blockers read."""

from __future__ import annotations

from collections.abc import Collection

import libcst as cst
from libcst.helpers import get_full_name_for_node

from serving2apps.codemod.node_search import Index, walk

ENTRY_POINTS = ("predict", "predict_stream")
SPECIAL_METHODS = ("__init__", "load_context")
# Methods of lists, dicts and deques that change the object they are called on.
IN_PLACE_METHODS = frozenset({"append", "appendleft", "extend", "extendleft", "insert", "pop", "popleft", "popitem",
                              "remove", "clear", "update", "setdefault", "sort", "reverse"})
# A set's own: counted only on an object the agent built as a set, since a memory service's or vector store's
# client has an `add` too, which writes elsewhere, not into the process.
SET_METHODS = frozenset({"add", "discard", "difference_update", "intersection_update", "symmetric_difference_update"})


def builds_a_set(value: cst.BaseExpression | None) -> bool:
    """`set()`, `set(items)`, `{a, b}`, `{x for x in xs}`."""
    return isinstance(value, (cst.Set, cst.SetComp)) or (
        isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "set")


def changes_in_place(call: cst.Call, sets: Collection[str]) -> bool:
    """`x.append(v)`, `x.update(d)`, ...; `x.add(v)` when x is one of `sets` (written as the call writes it)."""
    if not isinstance(call.func, cst.Attribute):
        return False
    method = call.func.attr.value
    return method in IN_PLACE_METHODS or (
        method in SET_METHODS and cst.Module([]).code_for_node(call.func.value) in sets)


def methods_of(cls: cst.ClassDef) -> dict[str, cst.FunctionDef]:
    return {s.name.value: s for s in cls.body.body if isinstance(s, cst.FunctionDef)}


def decorator_names(fn: cst.FunctionDef) -> list[str]:
    return [decorator_name(d) for d in fn.decorators]


def caches_property(decorator: cst.Decorator) -> bool:
    """`@functools.cached_property` (or a library's `cached_property`): computed at the first read, then kept."""
    return decorator_name(decorator).split(".")[-1] == "cached_property"


def is_cached_property(fn: cst.FunctionDef) -> bool:
    return any(caches_property(d) for d in fn.decorators)


def rooted_in(node: cst.BaseExpression, root: str) -> bool:
    """`root`, or an attribute or item of it, however deep (`root.a[k].b`)."""
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return isinstance(node, cst.Name) and node.value == root


class SelfUse(cst.CSTVisitor):
    """How a method uses `self`: attributes read, attributes written (rebound), attributes whose object is
    changed in place (`self.history.append(x)`, `self.cache[k] = v`, with the change), and anything else."""

    def __init__(self, self_name: str, sets: Collection[str]):
        self.self_name = self_name
        self.sets = {f"{self_name}.{attr}" for attr in sets}  # the attributes the class builds as sets
        self.attributes: list[cst.Attribute] = []
        self.written: list[cst.Attribute] = []
        self.changed: list[tuple[cst.Attribute, str]] = []
        self.bare_self = 0
        self.super_calls: list[cst.Call] = []
        self.returns = 0

    def visit_Attribute(self, node):
        if isinstance(node.value, cst.Name) and node.value.value == self.self_name:
            self.attributes.append(node)
            return False  # the `self` inside is accounted for
        return True

    def visit_AssignTarget(self, node):
        self._mark_written(node.target)

    def visit_AugAssign(self, node):
        self._mark_written(node.target)

    def visit_AnnAssign(self, node):
        self._mark_written(node.target)

    def visit_Del(self, node):
        self._mark_written(node.target, "deleted")  # `del self.x` rebinds the global x: it needs `global x` too

    def _mark_written(self, target, how: str = "assigned"):
        targets = target.elements if isinstance(target, (cst.Tuple, cst.List)) else [target]
        for t in targets:
            if isinstance(t, (cst.Element, cst.StarredElement)):
                t = t.value
            if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == self.self_name:
                self.written.append(t)
            elif isinstance(t, (cst.Attribute, cst.Subscript)) and rooted_in(t, self.self_name):
                self._mark_changed(t, f"{'item' if isinstance(t, cst.Subscript) else 'attribute'} {how}")

    def _mark_changed(self, node: cst.BaseExpression, how: str) -> None:
        while isinstance(node, (cst.Attribute, cst.Subscript)):
            if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
                self.changed.append((node, how))
                return
            node = node.value

    def visit_Name(self, node):
        if node.value == self.self_name:
            self.bare_self += 1

    def visit_Param(self, node):
        return False

    def visit_Call(self, node):
        if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Call) \
                and isinstance(node.func.value.func, cst.Name) and node.func.value.func.value == "super":
            self.super_calls.append(node)
        if isinstance(node.func, cst.Attribute) and rooted_in(node.func.value, self.self_name) \
                and changes_in_place(node, self.sets):
            self._mark_changed(node.func.value, node.func.attr.value)

    def visit_Return(self, node):
        self.returns += 1


def self_name_of(fn: cst.FunctionDef) -> str | None:
    params = fn.params.params
    return params[0].name.value if params else None


def self_uses(cls: cst.ClassDef) -> dict[str, SelfUse]:
    """How each method uses self; static methods and methods without a self parameter are left out."""
    uses = {}
    sets = set_attributes(cls)
    for name, fn in methods_of(cls).items():
        self_name = self_name_of(fn)
        if self_name is not None and "staticmethod" not in decorator_names(fn):
            uses[name] = SelfUse(self_name, sets)
            walk(fn.body, uses[name])
    return uses


def assigned_in_body(cls: cst.ClassDef) -> dict[str, cst.BaseExpression]:
    """Names the class body binds by assignment (`predict = shared_predict`, `seen = set()`), with their values."""
    return {t.target.value: small.value for stmt in cls.body.body if isinstance(stmt, cst.SimpleStatementLine)
            for small in stmt.body if isinstance(small, cst.Assign)
            for t in small.targets if isinstance(t.target, cst.Name)}


def set_attributes(cls: cst.ClassDef) -> set[str]:
    """Attributes the class builds as sets: in a method (`self.seen = set()`) or in its body (`seen = set()`)."""
    found = {name for name, value in assigned_in_body(cls).items() if builds_a_set(value)}
    for fn in methods_of(cls).values():
        self_name = self_name_of(fn)
        nodes = Index(fn.body)
        assignments: list[cst.Assign | cst.AnnAssign] = [*nodes.all(cst.Assign), *nodes.all(cst.AnnAssign)]
        for node in assignments:
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            found |= {t.attr.value for t in targets if builds_a_set(node.value) and isinstance(t, cst.Attribute)
                      and isinstance(t.value, cst.Name) and t.value.value == self_name}
    return found


def _lone_expression(stmt: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr):
        return stmt.body[0].value
    return None


def is_super_init(stmt: cst.CSTNode) -> bool:
    """`super().__init__(...)` as a statement of its own."""
    call = _lone_expression(stmt)
    return (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "__init__"
            and isinstance(call.func.value, cst.Call) and isinstance(call.func.value.func, cst.Name)
            and call.func.value.func.value == "super")


def is_docstring(stmt: cst.CSTNode) -> bool:
    return isinstance(_lone_expression(stmt), (cst.SimpleString, cst.ConcatenatedString))


def decorator_name(decorator: cst.Decorator) -> str:
    """`mlflow.trace` for `@mlflow.trace(name=...)`; the decorator's code when it is no dotted name."""
    target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
    return get_full_name_for_node(target) or cst.Module([]).code_for_node(target)
