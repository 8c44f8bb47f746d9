"""S2A161: ModelConfig() calls read the model's config from its file beside agent.py."""

from __future__ import annotations

import json

import libcst as cst
from libcst.metadata import MetadataWrapper, QualifiedNameProvider

from serving2apps.codemod.handlers import CodemodState
from serving2apps.codemod.names import MODEL_CONFIG
from serving2apps.codemod.node_search import walk_with_metadata

CODES = ("S2A161",)


class _ModelConfigCalls(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self):
        self.calls: list[cst.Call] = []

    def visit_Call(self, node):
        if {q.name for q in self.get_metadata(QualifiedNameProvider, node.func, set())} & MODEL_CONFIG:
            self.calls.append(node)


def may_call_model_config(source: str) -> bool:
    """A text test that never misses a call (the class is named where it is imported or used), so a file that
    never names it is not resolved at all."""
    return any(name.rpartition(".")[2] in source for name in MODEL_CONFIG)


def point_model_config(module: cst.Module, config_file: str) -> tuple[cst.Module, int]:
    """ModelConfig() read the config inlined in MLmodel on Model Serving (it wins over development_config);
    in the app that config is a file beside agent.py, so every call reads it from there."""
    wrapper = MetadataWrapper(module)
    found = _ModelConfigCalls()
    walk_with_metadata(wrapper, found)
    if not found.calls:
        return module, 0
    targets = {id(c) for c in found.calls}
    path = cst.parse_expression(f"str(Path(__file__).resolve().parent / {json.dumps(config_file)})")

    class _Point(cst.CSTTransformer):
        def leave_Call(self, original, updated):
            if id(original) not in targets:
                return updated
            args = [a for a in updated.args if not (a.keyword and a.keyword.value == "development_config")]
            no_space = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                       whitespace_after=cst.SimpleWhitespace(""))
            keyword = cst.Arg(value=path, keyword=cst.Name("development_config"), equal=no_space)
            return updated.with_changes(args=[*args, keyword])

    return wrapper.module.visit(_Point()), len(found.calls)


def report_pointed(state: CodemodState, pointed: int, config_file: str) -> None:
    """The calls now build a path, so the attempt's module needs Path."""
    if pointed:
        state.report("S2A161", f"{pointed} ModelConfig() call(s) now read the model's config from {config_file}")
        state.imports.add("pathlib", "Path")
