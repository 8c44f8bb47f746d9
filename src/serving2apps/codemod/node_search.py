"""Read-only walks over libcst trees: a visitor's callbacks (`walk`), every node of a kind under a node
(`find_all`), or of many kinds from one walk (`Index`).

libcst's own `node.visit(visitor)` builds every node of the tree again as it goes (its walk is the transformers'
walk) and looks a callback up for every field of every node: for a visitor that only reads, most of a pass's
time. `walk` calls the same callbacks on the same nodes in the same order (source order), without either.
libcst.matchers' findall would do what find_all does, but importing libcst.matchers alone costs ~0.2 s of every
run of the tool.

Not handled by `walk`: a visitor's per-field callbacks (`visit_Call_func`); no visitor of the codemod has one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypeVar

import libcst as cst
from libcst.metadata import MetadataWrapper

Node = TypeVar("Node", bound=cst.CSTNode)


class _FieldOrder(cst.CSTVisitor):
    """The fields libcst visits a node's children from, in its (source) order, by asking the node itself."""

    def __init__(self, node: cst.CSTNode):
        super().__init__()
        self.node = node
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if node is self.node:
            self.fields.append(attribute)

    def on_leave_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass


# A node type's child fields, in the order libcst visits them, learnt from a node of the type; and the fields that
# node held None in and libcst did not visit. libcst skips a few fields while they hold None (an f-string's format
# spec), so the order serves a node whose fields of the second kind are None too, and is learnt again otherwise.
_FIELDS: dict[type[cst.CSTNode], tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _fields(node: cst.CSTNode) -> tuple[str, ...]:
    known = _FIELDS.get(type(node))
    if known is not None and all(getattr(node, name) is None for name in known[1]):
        return known[0]
    order = _FieldOrder(node)
    node._visit_and_replace_children(order)
    fields = tuple(order.fields)
    unvisited_none = tuple(name for name in node.__dataclass_fields__
                           if name not in fields and getattr(node, name) is None)
    if known is None or not unvisited_none:
        _FIELDS[type(node)] = (fields, unvisited_none)
    return fields


def walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """`node.visit(visitor)` for a visitor that only reads (a CSTVisitor; a transformer needs libcst's walk)."""
    assert isinstance(visitor, cst.CSTVisitor), type(visitor)
    _walk(node, visitor)


def walk_with_metadata(wrapper: MetadataWrapper, visitor: cst.CSTVisitor) -> None:
    """`wrapper.visit(visitor)` for a visitor that only reads and needs the wrapper's metadata."""
    assert isinstance(visitor, cst.CSTVisitor), type(visitor)
    with visitor.resolve(wrapper):
        _walk(wrapper.module, visitor)


def _walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    if visitor.on_visit(node):
        for field in _fields(node):
            value = getattr(node, field)
            if isinstance(value, cst.CSTNode):
                _walk(value, visitor)
            elif isinstance(value, (tuple, list)):
                for child in value:
                    _walk(child, visitor)
    visitor.on_leave(node)


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
    _walk(node, collect)
    return [cst.ensure_type(found, kind) for found in collect.found]


class Index(cst.CSTVisitor):
    """Every node under a node by its own type, from one walk: each find_all walks the whole tree again."""

    def __init__(self, node: cst.CSTNode):
        super().__init__()
        self._found: defaultdict[type[cst.CSTNode], list[cst.CSTNode]] = defaultdict(list)
        _walk(node, self)

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._found[type(node)].append(node)
        return True

    def all(self, kind: type[Node]) -> list[Node]:
        """The nodes of exactly this type (not of its subclasses), in source order."""
        return [cst.ensure_type(found, kind) for found in self._found.get(kind, ())]
