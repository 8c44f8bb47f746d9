"""Removing `set_model()` calls where they stand: the statements around them stay.

A `try: ... finally: set_model(AGENT)` or an `if` whose branch ends in set_model loses only that call; a
block left empty gets `pass`. Used by every strategy that removes the call.
"""

from __future__ import annotations

import libcst as cst


class _Strip(cst.CSTTransformer):
    def __init__(self, calls: set[int]):
        self.calls = calls  # ids of the set_model Call nodes to remove

    def leave_SimpleStatementLine(self, original, updated):
        body = [small for o, small in zip(original.body, updated.body)
                if not (isinstance(o, cst.Expr) and id(o.value) in self.calls)]
        if len(body) == len(updated.body):
            return updated
        return updated.with_changes(body=body) if body else cst.RemoveFromParent()

    def leave_IndentedBlock(self, original, updated):
        return updated if updated.body else updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])


def strip_set_model(stmt: cst.BaseStatement, calls: list[cst.Call]) -> cst.BaseStatement | None:
    """`stmt` without its `set_model(...)` expression statements among `calls`; None when nothing is left."""
    ids = {id(c) for c in calls}
    if isinstance(stmt, cst.SimpleStatementLine):
        body = [s for s in stmt.body if not (isinstance(s, cst.Expr) and id(s.value) in ids)]
        return stmt.with_changes(body=body) if body else None
    return stmt.visit(_Strip(ids))
