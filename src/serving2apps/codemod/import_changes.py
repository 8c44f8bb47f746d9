"""The imports a codemod adds and removes, scheduled while it rewrites and applied to the module at the end.

Not libcst's AddImportsVisitor and RemoveImportsVisitor: each of their passes copies the module, resolves scope
metadata over it and builds several matcher visitors, and scheduling one removal builds another, which made up
more than half of the codemod's time. Here removal is decided by name, in one plain pass: an import goes when
some removed code read the name it binds and nothing left in the module reads that name.

Deliberately conservative (an unused import left in place is harmless; a needed one removed breaks the agent):
- a name counts as read wherever it appears, in any scope, even where a local variable of the same name shadows
  the import; only attribute names and keyword-argument names are not reads;
- names inside string annotations, `cast("T", ...)` and `__all__` count as reads;
- `from m import *` is never touched, and an import no removed code read is never removed, used or not.

Added imports follow libcst's placement, so outputs read the same: a name already imported by the file's leading
block of imports is not imported again; a `from m import` in that block gains the new names; the rest go after
that block (`__future__` imports before it), plain imports first, then aliased, then `from` imports, sorted.
"""

from __future__ import annotations

import re

import libcst as cst

from serving2apps.codemod.name_uses import NameUses, name_uses
from serving2apps.codemod.node_search import walk

_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")

Wanted = tuple[str, "str | None", "str | None"]  # (module, object or None, alias or None)


class ImportChanges:
    """Imports scheduled by the codemod's transformers; `apply` makes them on the finished module."""

    def __init__(self):
        self._added: list[Wanted] = []
        self._released: set[str] = set()  # names some removed code read

    def add(self, module: str, obj: str | None = None, asname: str | None = None) -> None:
        """`import module [as asname]` (obj None) or `from module import obj [as asname]`, unless already there."""
        self._added.append((module, obj, asname))

    def drop_unused(self, removed: cst.CSTNode) -> None:
        """`removed` leaves the module: the imports it read go too, once nothing left in the module reads them."""
        self._released.update(name_uses(removed))

    def apply(self, module: cst.Module) -> cst.Module:
        if self._released:
            unused = self._released - _names_read(module)
            if unused:
                module = module.visit(_RemoveImports(unused))
        if self._added:
            module = _add_imports(module, self._added)
        return module


class _Reads(NameUses):
    """Names the module reads outside its import statements, string annotations included."""

    def __init__(self):
        super().__init__()
        self._in_strings = 0  # inside an annotation, cast()'s type or __all__: strings there name things too

    def visit_Import(self, node):
        return False

    def visit_ImportFrom(self, node):
        return False

    def visit_Annotation(self, node):
        self._in_strings += 1

    def leave_Annotation(self, node):
        self._in_strings -= 1

    def visit_Call(self, node):
        if isinstance(node.func, (cst.Name, cst.Attribute)) and _last_name(node.func) == "cast" and node.args:
            self._string_names(node.args[0].value)

    def visit_Assign(self, node):
        if any(isinstance(t.target, cst.Name) and t.target.value == "__all__" for t in node.targets):
            self._string_names(node.value)

    def visit_SimpleString(self, node):
        if self._in_strings:
            self.names.extend(_IDENTIFIER.findall(node.evaluated_value if isinstance(node.evaluated_value, str)
                                                  else ""))

    def _string_names(self, node: cst.CSTNode) -> None:
        self._in_strings += 1
        walk(node, self)
        self._in_strings -= 1


def _last_name(node: cst.Name | cst.Attribute) -> str:
    return node.value if isinstance(node, cst.Name) else node.attr.value


def _names_read(module: cst.Module) -> set[str]:
    reads = _Reads()
    walk(module, reads)
    return set(reads.names)


def dotted(node: cst.CSTNode) -> str:
    """`a.b.c` as written."""
    return cst.Module([]).code_for_node(node)


def bound_name(alias: cst.ImportAlias) -> str:
    """The name an import binds: `import a.b` binds `a`."""
    if alias.asname is not None:
        return cst.ensure_type(alias.asname.name, cst.Name).value
    return dotted(alias.name).split(".")[0]


def _without(aliases, unused: set[str]):
    kept = [a for a in aliases if bound_name(a) not in unused]
    if kept and kept[-1].comma is not cst.MaybeSentinel.DEFAULT:
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return kept


class _RemoveImports(cst.CSTTransformer):
    def __init__(self, unused: set[str]):
        super().__init__()
        self.unused = unused

    def leave_Import(self, original, updated):
        kept = _without(updated.names, self.unused)
        if len(kept) == len(updated.names):
            return updated
        return updated.with_changes(names=kept) if kept else cst.RemoveFromParent()

    def leave_ImportFrom(self, original, updated):
        if isinstance(updated.names, cst.ImportStar):
            return updated
        kept = _without(updated.names, self.unused)
        if len(kept) == len(updated.names):
            return updated
        return updated.with_changes(names=kept) if kept else cst.RemoveFromParent()


def _is_import_line(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom)))


def _leading_block(module: cst.Module) -> tuple[int, int]:
    """Where the file's leading imports are: after a docstring, up to the first statement that is not an import."""
    body = module.body
    start = 1 if body and isinstance(body[0], cst.SimpleStatementLine) and module.get_docstring() is not None else 0
    end = start
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    return start, end


def _add_imports(module: cst.Module, wanted: list[Wanted]) -> cst.Module:
    start, end = _leading_block(module)
    body = list(module.body)
    plain: set[str] = set()  # `import m`
    aliased: dict[str, str] = {}  # `import m as a`
    names: dict[str, set[tuple[str, str | None]]] = {}  # `from m import o [as a]`; ("*", None) for a star
    for stmt in body[start:end]:
        node = cst.ensure_type(stmt, cst.SimpleStatementLine).body[0]
        if isinstance(node, cst.Import):
            for alias in node.names:
                if alias.asname is None:
                    plain.add(dotted(alias.name))
                else:
                    aliased[dotted(alias.name)] = bound_name(alias)
        elif isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None:
            present = names.setdefault(dotted(node.module), set())
            if isinstance(node.names, cst.ImportStar):
                present.add(("*", None))
            else:
                present.update((dotted(a.name), bound_name(a) if a.asname else None) for a in node.names)

    new_plain = sorted({m for m, o, a in wanted if o is None and a is None} - plain)
    new_aliased = sorted({(m, a) for m, o, a in wanted if o is None and a is not None and aliased.get(m) != a})
    missing: dict[str, set[tuple[str, str | None]]] = {}
    for m, o, a in wanted:
        if o is None:
            continue
        present = names.get(m, set())
        if (o, a) in present or (a is None and ("*", None) in present):
            continue
        missing.setdefault(m, set()).add((o, a))

    def ordered(items: set[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
        return sorted(items, key=lambda item: (item[0], item[1] or ""))

    def aliases(items: list[tuple[str, str | None]]) -> list[cst.ImportAlias]:
        return [cst.ImportAlias(cst.Name(o), cst.AsName(cst.Name(a)) if a else None) for o, a in items]

    for index in range(start, end):  # a `from m import` already there gains the new names
        line = cst.ensure_type(body[index], cst.SimpleStatementLine)
        node = line.body[0]
        if (isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None
                and not isinstance(node.names, cst.ImportStar) and dotted(node.module) in missing):
            extra = aliases(ordered(missing.pop(dotted(node.module))))
            body[index] = line.with_changes(body=[node.with_changes(names=[*extra, *node.names])])

    def statement(code: str) -> cst.BaseStatement:
        return cst.parse_statement(code, config=module.config_for_parsing)

    def from_import(m: str) -> cst.BaseStatement:
        return statement(f"from {m} import " + ", ".join(o if a is None else f"{o} as {a}"
                                                           for o, a in ordered(missing[m])))

    future = [from_import(m) for m in sorted(missing) if m == "__future__"]
    after = [*(statement(f"import {m}") for m in new_plain),
             *(statement(f"import {m} as {a}") for m, a in new_aliased),
             *(from_import(m) for m in sorted(missing) if m != "__future__")]
    if not future and not after:
        return module.with_changes(body=body)
    rest = body[end:]
    if rest:  # an empty line between the imports and the code after them
        first = rest[0]
        if not first.leading_lines:
            rest[0] = first.with_changes(leading_lines=[cst.EmptyLine()])
        elif first.leading_lines[0].comment is not None:
            rest[0] = first.with_changes(leading_lines=[cst.EmptyLine(), *first.leading_lines])
    return module.with_changes(body=[*body[:start], *future, *body[start:end], *after, *rest])
