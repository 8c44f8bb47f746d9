"""Apply the import additions and removals the codemods scheduled on a libcst CodemodContext.

Each pass re-resolves scope metadata over the whole module, which dominates the codemod's run time, so a pass
runs only when something was scheduled for it.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor


def apply_import_changes(module: cst.Module, context: CodemodContext) -> cst.Module:
    if context.scratch.get(RemoveImportsVisitor.CONTEXT_KEY):
        module = RemoveImportsVisitor(context).transform_module(module)
    if context.scratch.get(AddImportsVisitor.CONTEXT_KEY):
        module = AddImportsVisitor(context).transform_module(module)
    return module
