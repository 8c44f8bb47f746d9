"""Concurrency hazards the app inherits whatever the strategy: per-request writes to shared state (S2A130),
the request changed in place (S2A131), a second trace span (S2A121). Reported, never rewritten: the fix needs
a person who knows which state is meant to be shared."""

from __future__ import annotations

import libcst as cst
from libcst.helpers import get_full_name_for_node

from serving2apps.codemod.class_methods import (ENTRY_POINTS, IN_PLACE_METHODS, SPECIAL_METHODS, decorator_names,
                                                methods_of, rooted_in, self_uses)
from serving2apps.codemod.handlers import CodemodState
from serving2apps.codemod.names import TRACE
from serving2apps.codemod.node_search import find_all
from serving2apps.codemod.user_clients import HELPERS as USER_HELPERS

CODES = ("S2A121", "S2A130", "S2A131")


def report_hazards(cls: cst.ClassDef, state: CodemodState) -> None:
    """Concurrency hazards that exist in both strategies: per-request state and request mutation."""
    methods = methods_of(cls)
    uses = self_uses(cls)

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
    setup = reached(set(SPECIAL_METHODS))
    set_up_only = setup - reached(set(methods) - setup | set(ENTRY_POINTS))
    for name, use in uses.items():
        if name in SPECIAL_METHODS or name in set_up_only:
            continue
        fn = methods[name]
        users = _users_clients(fn)
        for attr in use.written:
            why = (": it holds a client acting as the user who sent the request, which the next request, another "
                   "user's, would use" if attr.attr.value in users else "")
            state.report("S2A130", f"{name} writes self.{attr.attr.value}, shared by every request{why}", attr)
        for attr, how in use.changed:
            if attr.attr.value in per_thread:
                continue  # `self._local.user = ...`: each request's thread has its own (async mode keeps the threads)
            state.report("S2A130", f"{name} changes self.{attr.attr.value} in place ({how}), shared by every request",
                         attr)
        if name in ENTRY_POINTS:
            params = fn.params.params
            if len(params) > 1:
                _report_request_mutation(fn, params[1].name.value, state)
            if any(d in TRACE or d in {"mlflow.trace", "trace"} for d in decorator_names(fn)):
                state.report("S2A121", f"{name} is decorated with @mlflow.trace", fn)


def _users_clients(fn: cst.FunctionDef) -> set[str]:
    """Attributes the method sets to something built from the user's client (user_clients rewrote Model Serving's
    on-behalf-of-user clients to the scaffold's helpers)."""
    return {target.target.attr.value for assign in find_all(fn, cst.Assign) for target in assign.targets
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
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in IN_PLACE_METHODS \
                    and rooted_in(node.func.value, request):
                state.report("S2A131", f"{fn.name.value} changes {request} in place ({node.func.attr.value})", node)

    fn.body.visit(_Mutation())
