"""Every node of a kind under a node, in source order: for one kind (find_all), or for many from one walk (Index).

libcst.matchers' findall does this too, but importing libcst.matchers alone costs ~0.2 s of every run of the tool.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVar

import libcst as cst

Node = TypeVar("Node", bound=cst.CSTNode)


class _Collect(cst.CSTVisitor):
    def __init__(self, kind: type[cst.CSTNode]):
        super().__init__()
        self.kind = kind
        self.found: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, self.kind):
            self.found.append(node)
        return True


def find_all(node: cst.CSTNode, kind: type[Node]) -> list[Node]:
    collect = _Collect(kind)
    node.visit(collect)
    return [cst.ensure_type(found, kind) for found in collect.found]


class Index(cst.CSTVisitor):
    """Every node under a node by its own type, from one walk: each find_all walks the whole tree again, and a
    libcst walk is most of what a pass over a function costs."""

    def __init__(self, node: cst.CSTNode):
        super().__init__()
        self._found: defaultdict[type[cst.CSTNode], list[cst.CSTNode]] = defaultdict(list)
        node.visit(self)

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._found[type(node)].append(node)
        return True

    def all(self, kind: type[Node]) -> list[Node]:
        """The nodes of exactly this type (not of its subclasses), in source order."""
        return [cst.ensure_type(found, kind) for found in self._found.get(kind, ())]
