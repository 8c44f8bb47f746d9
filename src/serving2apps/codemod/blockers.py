"""Why the functions strategy does not apply to a class: each reason a rule of its own, reported in S2A101
(the class is kept instead), each with a fixture (tests/codemod/test_agent_file.py checks it)."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import GlobalScope, MetadataWrapper, ScopeProvider

from serving2apps.codemod.agent_location import AgentClass
from serving2apps.codemod.class_methods import (
    SPECIAL_METHODS,
    decorator_names,
    is_cached_property,
    is_docstring,
    is_super_init,
    methods_of,
    self_uses,
)
from serving2apps.codemod.name_uses import name_uses
from serving2apps.codemod.names import INHERITED_HELPERS


def _instance_uses(module: cst.Module, agent: AgentClass, instance_name: str) -> int:
    """Uses of the instance's name other than its assignment and the set_model() arguments."""
    uses = sum(name_uses(stmt).count(instance_name) for stmt in module.body)
    handed = sum(1 for call in agent.set_model_calls if call.args and isinstance(call.args[0].value, cst.Name)
                 and call.args[0].value.value == instance_name)
    if uses - 1 - handed <= 0:
        return uses - 1 - handed
    # A parameter or a local of a function named like the instance (`def _label(self, agent)`) is another
    # variable: count only what refers to the module's own (scope analysis, on this rarer path only).
    global_scope = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)[module]
    assert isinstance(global_scope, GlobalScope)  # a module's own scope
    return sum(len(assignment.references) for assignment in global_scope.assignments[instance_name]) - handed


BLOCKERS = {
    "nested": "the class is not defined at the top level of the module (it is nested or under a condition)",
    "bases": "the class inherits from more than ResponsesAgent (or from another agent class)",
    "keywords": "the class sets a metaclass or class keywords",
    "decorated": "the class is decorated",
    "class_used": "the class is used elsewhere in the module besides its one instantiation",
    "no_instance": "no instantiation of the class was found next to set_model()",
    "instance_used": "the module uses {instance} besides handing it to set_model() (calls at import, a __main__ block)",
    "class_body": "the class body holds statements other than methods (class attributes or logic)",
    "classmethod": "{method} is a classmethod",
    "setter": "{method} has a property setter or deleter",
    "cached_assigned": "{method} is a cached_property the class also assigns (self.{method} = ...)",
    "no_self": "{method} takes no self parameter",
    "super": "{method} calls super()",
    "self_value": "{method} uses self as a value (passes or returns the instance)",
    "early_return": "{method} returns early, so its body cannot run at module level",
    "init_varargs": "__init__ takes *args or **kwargs",
    "unassigned": "{method} reads self.{attribute}, which the class never assigns",
    "no_entry_point": "the class defines neither predict nor predict_stream itself",
    "call_varargs": "the instantiation passes *args or **kwargs",
    "init_unbound": "__init__ parameter {parameter} gets no value at the instantiation",
}


def blockers(module: cst.Module, agent: AgentClass) -> list[str]:
    cls = agent.cls
    reasons = []

    def block(key: str, **names: str) -> None:
        reasons.append(BLOCKERS[key].format(**names))

    if agent.class_index < 0:
        block("nested")
    if len(cls.bases) != 1:
        block("bases")
    if cls.keywords:
        block("keywords")
    if cls.decorators:
        block("decorated")
    if _class_refs(module, agent) > 1:
        block("class_used")
    if agent.instantiation is None:
        block("no_instance")
    if agent.instance_name and _instance_uses(module, agent, agent.instance_name):
        block("instance_used", instance=agent.instance_name)
    for stmt in cls.body.body:
        if isinstance(stmt, cst.FunctionDef):
            continue
        if is_docstring(stmt):
            continue
        block("class_body")
        break
    methods = methods_of(cls)
    uses = self_uses(cls)
    attributes_written = set()
    for name, fn in methods.items():
        decorators = decorator_names(fn)
        if "classmethod" in decorators:
            block("classmethod", method=name)
        if any(d.endswith(".setter") or d.endswith(".deleter") for d in decorators):
            block("setter", method=name)
        if "staticmethod" in decorators:
            continue
        use = uses.get(name)
        if use is None:
            block("no_self", method=name)
            continue
        attributes_written |= {a.attr.value for a in use.written}
        allowed_super = 1 if name == "__init__" and any(is_super_init(s) for s in fn.body.body) else 0
        if len(use.super_calls) > allowed_super:
            block("super", method=name)
        if use.bare_self:
            block("self_value", method=name)
        if name in SPECIAL_METHODS and use.returns:
            block("early_return", method=name)
        if name == "__init__" and (isinstance(fn.params.star_arg, cst.Param) or fn.params.star_kwarg is not None):
            block("init_varargs")
    for name, fn in methods.items():
        if name in attributes_written and is_cached_property(fn):
            block("cached_assigned", method=name)
    known = set(methods) | attributes_written | set(INHERITED_HELPERS)
    for name, use in uses.items():
        unknown = sorted({a.attr.value for a in use.attributes} - known)
        if unknown:
            block("unassigned", method=name, attribute=unknown[0])
    if "predict" not in methods and "predict_stream" not in methods:
        block("no_entry_point")
    return list(dict.fromkeys(reasons))


def _class_refs(module: cst.Module, agent: AgentClass) -> int:
    """Uses of the class's name besides its definition."""
    return sum(1 for stmt in module.body for n in name_uses(stmt) if n == agent.cls.name.value) - 1


class Blocked(Exception):
    """A blocker found only while rewriting (the instantiation's arguments); the message is its reason."""
