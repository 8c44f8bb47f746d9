"""Which variable names a piece of code uses: attribute names and keyword-argument names are not variables."""

from __future__ import annotations

import libcst as cst

from serving2apps.codemod.node_search import walk


class NameUses(cst.CSTVisitor):
    """Every identifier a block binds or reads, once per occurrence."""

    def __init__(self):
        self.names: list[str] = []

    def visit_Attribute(self, node):
        walk(node.value, self)
        return False

    def visit_Arg(self, node):
        walk(node.value, self)
        return False

    def visit_Name(self, node):
        self.names.append(node.value)


def name_uses(node: cst.CSTNode) -> list[str]:
    """Each use of a variable name in node."""
    found = NameUses()
    walk(node, found)
    return found.names
