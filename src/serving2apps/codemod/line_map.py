"""Findings name lines of the migrated file, with the model file's line beside them where it differs.

Rules report positions in the file they read; the lines move when a class dissolves (methods dedent),
statements are removed and imports added. The two files are aligned line by line, indentation and `self.` ignored, and
each original line maps to its counterpart, or to the most similar line of the block that replaced it.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from serving2apps.codemod.findings import Finding


def line_mapping(before: str, after: str) -> dict[int, int]:
    # `self.` goes where a class dissolves into functions, so it is no difference worth a mismatch.
    old = [line.strip().replace("self.", "") for line in before.splitlines()]
    new = [line.strip() for line in after.splitlines()]
    mapping: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                mapping[i1 + k + 1] = j1 + k + 1
        elif tag == "replace":
            # Lines rewritten in place (`self.x = ...` → `x = ...`): each goes to the most similar line of the
            # block that replaced it, in order.
            start = j1
            for i in range(i1, i2):
                scores = [(difflib.SequenceMatcher(None, old[i], new[j]).ratio(), -j) for j in range(start, j2)]
                if not scores:
                    break
                _, best = max(scores)
                mapping[i + 1] = -best + 1
                start = -best
    return mapping


def place_lines(findings: list[Finding], before: str, after: str) -> list[Finding]:
    if not any(f.line for f in findings):
        return findings
    mapping = line_mapping(before, after)
    placed = []
    for f in findings:
        if f.line and f.original_line is None:
            new = mapping.get(f.line)
            f = replace(f, line=new, original_line=f.line if new != f.line else None)
        placed.append(f)
    return placed
