"""The codemod's read-only walk calls a visitor as libcst's own visit does: the same nodes, in the same order,
entering and leaving, skipping what a callback declines."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from serving2apps.codemod.node_search import Index, find_all, walk, walk_with_metadata

CASES = Path(__file__).parent / "cases"
# Every kind of statement and expression the fixtures hold, and a few whose fields libcst visits out of their
# declared order (a decorator before its function, `a if b else c`), and an f-string's format spec, which libcst
# visits only where there is one.
SOURCES = sorted(CASES.glob("*.in.py")) + [None]
EXTRA = '''
texts = [f"{plain}", f"{spec:>10}", f"{plain}"]
@decorator(arg)
async def f(x: int = 1, *args, y, **kw) -> str:
    async with a as b, c:
        async for i in g():
            yield f"{i!r:>{width}}" if i else [j async for j in h() if j]
    return lambda q, /, r=2: {**q, "k": (yield)}
match x:
    case [1, *rest] | {"k": v} if v:
        pass
type Alias[T] = list[T]
'''


class _Record(cst.CSTVisitor):
    """Every call it gets, and declines to enter calls' arguments."""

    def __init__(self):
        super().__init__()
        self.events: list[tuple[str, int]] = []

    def on_visit(self, node):
        self.events.append(("visit", id(node)))
        return super().on_visit(node)

    def on_leave(self, node):
        self.events.append(("leave", id(node)))
        super().on_leave(node)

    def visit_Arg(self, node):
        return False


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name[:-6] if p else "extra")
def test_walk_calls_the_visitor_as_libcst_visit_does(source):
    module = cst.parse_module(source.read_text() if source else EXTRA)
    theirs, ours = _Record(), _Record()
    try:
        module.visit(theirs)
    except RecursionError:  # an expression nested too deeply for a walk: the codemod refuses it (S2A195)
        with pytest.raises(RecursionError):
            walk(module, ours)
        return
    walk(module, ours)
    assert ours.events == theirs.events and ours.events


def test_find_all_and_index_list_nodes_in_source_order():
    module = cst.parse_module("x = f(a)\ndef g():\n    return h(b, c=d(e))\n")
    assert [cst.Module([]).code_for_node(c) for c in find_all(module, cst.Call)] == ["f(a)", "h(b, c=d(e))", "d(e)"]
    assert [n.value for n in Index(module).all(cst.Name)] == ["x", "f", "a", "g", "h", "b", "c", "d", "e"]


def test_walk_with_metadata_gives_the_visitor_the_wrappers_metadata():
    class Lines(cst.CSTVisitor):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def __init__(self):
            super().__init__()
            self.lines = []

        def visit_Call(self, node):
            self.lines.append(self.get_metadata(PositionProvider, node).start.line)

    lines = Lines()
    walk_with_metadata(MetadataWrapper(cst.parse_module("a()\n\nb(c())\n")), lines)
    assert lines.lines == [1, 3, 3]


def test_a_transformer_is_refused():
    with pytest.raises(AssertionError):
        walk(cst.parse_module("x = 1\n"), cst.CSTTransformer())
