"""Removing `set_model()` calls where they stand: the statements around them stay.

A `try: ... finally: set_model(AGENT)` or an `if` whose branch ends in set_model loses only that call; a
block left empty gets `pass`. Every strategy that removes the call uses `SetModelRemover`; they differ only
in how they recognise the call (`is_set_model`).
"""

from __future__ import annotations

import libcst as cst

from serving2apps.codemod.layout import Statement


class SetModelRemover(cst.CSTTransformer):
    """Drops the expression statements whose call `is_set_model`, keeping their siblings."""

    def __init__(self):
        super().__init__()
        self.removed = 0

    def is_set_model(self, call: cst.Call) -> bool:
        raise NotImplementedError

    def on_removed(self, statement: cst.Expr) -> None:
        """Called for each removed statement (to schedule the removal of imports it alone used)."""

    def leave_SimpleStatementLine(self, original, updated):
        body = []
        for o, small in zip(original.body, updated.body):
            if isinstance(o, cst.Expr) and isinstance(o.value, cst.Call) and self.is_set_model(o.value):
                self.removed += 1
                self.on_removed(o)
                continue
            body.append(small)
        if len(body) == len(updated.body):
            return updated
        return updated.with_changes(body=body) if body else cst.RemoveFromParent()

    def leave_IndentedBlock(self, original, updated):
        return updated if updated.body else updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])


class _Known(SetModelRemover):
    def __init__(self, calls: set[int]):
        super().__init__()
        self.calls = calls  # ids of the set_model Call nodes to remove

    def is_set_model(self, call: cst.Call) -> bool:
        return id(call) in self.calls


def strip_set_model(stmt: Statement, calls: list[cst.Call]) -> Statement | None:
    """`stmt` without its `set_model(...)` expression statements among `calls`; None when nothing is left."""
    kept = stmt.visit(_Known({id(c) for c in calls}))
    return kept if isinstance(kept, (cst.SimpleStatementLine, cst.BaseCompoundStatement)) else None
