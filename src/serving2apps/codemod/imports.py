"""Rewrites imports of the model's code/ modules to their new home under agent_server/.

Model serving put `code/` on sys.path, so agent code imports its modules by their top-level names
(`from helpers.text import words`). In the app they live in the `agent_server` package.

Not handled: `import X.Y` of a copied module (it binds `X`, and no single rewrite keeps every use working):
left as it is and reported (S2A151). Relative imports need no change.
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from serving2apps.codemod.findings import Finding
from serving2apps.codemod.import_changes import dotted
from serving2apps.codemod.parsing import parse_source

CODES = ("S2A151",)


def _expression(dotted: str) -> cst.Attribute | cst.Name:
    expression = cst.parse_expression(dotted)
    assert isinstance(expression, (cst.Attribute, cst.Name)), dotted
    return expression


class _RewriteImports(cst.CSTTransformer):
    def __init__(self, mapping: dict[str, str]):
        super().__init__()
        self.mapping = mapping  # top-level module name in code/ → new dotted path
        self.left: list[tuple[cst.Import, str]] = []  # (the original statement, the module it names)

    def leave_ImportFrom(self, original, updated):
        if updated.relative or updated.module is None:
            return updated
        name = dotted(updated.module)
        root, _, rest = name.partition(".")
        if root not in self.mapping:
            return updated
        new = self.mapping[root] + (f".{rest}" if rest else "")
        return updated.with_changes(module=_expression(new))

    def leave_Import(self, original, updated):
        aliases = list(updated.names)
        copied = [a for a in aliases if dotted(a.name).split(".")[0] in self.mapping]
        if len(aliases) == 1 and copied and "." not in dotted(copied[0].name):
            # `import helpers` → `from agent_server import helpers` (both bind the name `helpers`).
            alias = copied[0]
            package, _, module = self.mapping[dotted(alias.name)].rpartition(".")
            bound = alias.asname.name.value if alias.asname else dotted(alias.name)
            asname = None if bound == module else cst.AsName(name=cst.Name(bound))
            return cst.ImportFrom(module=_expression(package), names=[cst.ImportAlias(cst.Name(module), asname)])
        self.left += [(original, dotted(alias.name)) for alias in copied]
        return updated


def _may_import(source: str, mapping: dict[str, str]) -> bool:
    """A cheap text test that never misses an import of a copied module (it may find one that is not), so
    files that import none of them, however long, are not parsed at all."""
    names = "|".join(re.escape(name) for name in mapping)
    return re.search(rf"\b(?:from|import)\b[^\n]*\b(?:{names})\b", source.replace("\\\n", " ")) is not None


def rewrite_code_imports(source: str, mapping: dict[str, str], filename: str) -> tuple[str, list[Finding]]:
    if not mapping or not _may_import(source, mapping):
        return source, []
    parsed = parse_source(source, filename)
    transformer = _RewriteImports(mapping)
    module = parsed.visit(transformer)
    findings = []
    if transformer.left:
        # Positions only for what is reported (rarely anything). The parser's own tree has no node twice, so
        # libcst's defensive copy is not needed, and the copy would not hold the statements found.
        positions = MetadataWrapper(parsed, unsafe_skip_copy=True).resolve(PositionProvider)
        findings = [Finding("S2A151", f"import {name} names a module copied from code/", filename,
                            positions[statement].start.line) for statement, name in transformer.left]
    return module.code, findings
