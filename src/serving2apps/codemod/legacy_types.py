"""S2A103: type names of early ResponsesAgent releases become their current names."""

from __future__ import annotations

import libcst as cst

from serving2apps.codemod.handlers import CodemodState

from serving2apps.codemod.names import LEGACY_TYPES, RESPONSES_MODULE

CODES = ("S2A103",)


class _LegacyTypes(cst.CSTTransformer):
    """`from mlflow.types.responses import ResponsesRequest` and its uses → ResponsesAgentRequest."""

    def __init__(self):
        self.bound: dict[str, str] = {}  # legacy name bound without an alias → current name
        self.renamed: list[str] = []

    def leave_ImportFrom(self, original, updated):
        if updated.module is None or cst.Module([]).code_for_node(updated.module) != RESPONSES_MODULE \
                or isinstance(updated.names, cst.ImportStar):
            return updated
        names = []
        for alias in updated.names:
            old = alias.name.value if isinstance(alias.name, cst.Name) else None
            if old in LEGACY_TYPES:
                self.renamed.append(old)
                if alias.asname is None:
                    self.bound[old] = LEGACY_TYPES[old]
                alias = alias.with_changes(name=cst.Name(LEGACY_TYPES[old]))
            names.append(alias)
        return updated.with_changes(names=names)


class _RenameNames(cst.CSTTransformer):
    def __init__(self, renames: dict[str, str]):
        self.renames = renames

    def leave_Attribute(self, original, updated):
        return updated.with_changes(attr=original.attr)

    def leave_ImportAlias(self, original, updated):
        return original

    def leave_Name(self, original, updated):
        return updated.with_changes(value=self.renames.get(updated.value, updated.value))


def rename_legacy_types(module: cst.Module) -> tuple[cst.Module, list[str]]:
    imports = _LegacyTypes()
    module = module.visit(imports)
    if imports.bound:
        module = module.visit(_RenameNames(imports.bound))
    return module, imports.renamed


def report_renamed(state: CodemodState, renamed: list[str]) -> None:
    if renamed:
        state.report("S2A103", f"old type names {', '.join(renamed)} now use their current names")
