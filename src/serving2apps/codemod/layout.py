"""Statement builders and blank-line layout the strategies share."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst


def assign_statement(name: str, value: cst.BaseExpression) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(name))], value)])


Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement  # a statement with its own leading lines


def rewritten(stmt: cst.BaseStatement, transformer: cst.CSTTransformer) -> Statement:
    """A statement passed through a transformer that rewrites inside statements and never removes one."""
    new = stmt.visit(transformer)
    assert isinstance(new, (cst.SimpleStatementLine, cst.BaseCompoundStatement)), new
    return new


def _blank_lines(stmt) -> int:
    return sum(1 for line in stmt.leading_lines if line.comment is None)


def respace(body: list[Statement], original_body: Sequence[Statement], removed: set[int]) -> None:
    """A statement that follows removed ones keeps the spacing the first removed one had (PEP 8's two blank
    lines after a class, for instance)."""
    kept_after = {}
    run_start = None
    for i, stmt in enumerate(original_body):
        if i in removed:
            run_start = i if run_start is None else run_start
        elif run_start is not None:
            kept_after[id(stmt)] = _blank_lines(original_body[run_start])
            run_start = None
    for j, stmt in enumerate(body):
        wanted = min(kept_after.get(id(stmt), 0), 2)
        if _blank_lines(stmt) < wanted:
            extra = [cst.EmptyLine() for _ in range(wanted - _blank_lines(stmt))]
            body[j] = stmt.with_changes(leading_lines=[*extra, *stmt.leading_lines])
