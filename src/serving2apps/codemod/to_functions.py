"""The functions strategy (S2A100): the class dissolves into module code.

`__init__` and `load_context` bodies run at module level where the instance was created (their parameters
bound from the instantiation's arguments or defaults), `self.x` becomes a module global `x`, methods become
functions, inherited ResponsesAgent helpers become the `mlflow.types.responses` functions they delegate to, and
an entry point's `params` parameter goes (S2A120 when it was read), with the argument the agent's own calls
passed for it. `predict`/`predict_stream` stay synchronous here; `to_async` converts them in async mode.

Not handled here: everything `blockers` lists; the ladder keeps the class for those.
"""

from __future__ import annotations

import libcst as cst

from serving2apps.codemod.agent_location import AgentClass
from serving2apps.codemod.blockers import BLOCKERS, Blocked
from serving2apps.codemod.class_methods import (
    ENTRY_POINTS,
    SPECIAL_METHODS,
    caches_property,
    decorator_name,
    decorator_names,
    is_cached_property,
    is_docstring,
    is_super_init,
    methods_of,
    self_name_of,
    self_uses,
)
from serving2apps.codemod.handlers import Allocator, CodemodState, Entries, identifiers, module_bound_names
from serving2apps.codemod.import_changes import bound_name
from serving2apps.codemod.layout import Statement, assign_statement, respace, rewritten
from serving2apps.codemod.load_context import context_imports, context_statement
from serving2apps.codemod.name_uses import name_uses
from serving2apps.codemod.names import INHERITED_HELPERS, RESPONSES_MODULE
from serving2apps.codemod.node_search import walk
from serving2apps.codemod.set_model_calls import strip_set_model

CODES = ("S2A100", "S2A111", "S2A120", "S2A140")


def _local_names(fn: cst.FunctionDef) -> set[str]:
    """Names a function body binds (parameters, assignments, for/with targets, imports)."""
    bound = {p.name.value for p in fn.params.params} | {p.name.value for p in fn.params.kwonly_params}

    class _Bound(cst.CSTVisitor):
        def visit_AssignTarget(self, node):
            bound.update(_target_names(node.target))

        def visit_AnnAssign(self, node):
            bound.update(_target_names(node.target))

        def visit_AugAssign(self, node):
            bound.update(_target_names(node.target))

        def visit_For(self, node):
            bound.update(_target_names(node.target))

        def visit_WithItem(self, node):
            if node.asname:
                bound.update(_target_names(node.asname.name))

        def visit_ImportAlias(self, node):
            bound.add(bound_name(node))

        def visit_FunctionDef(self, node):
            bound.add(node.name.value)
            return False

        def visit_Lambda(self, node):
            return False

    walk(fn.body, _Bound())
    return bound


def _target_names(target) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return set().union(*[_target_names(e.value) for e in target.elements] or [set()])
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return set()


class _Rewrite(cst.CSTTransformer):
    """Rewrites one method body: self.x → globals/functions/helpers; renames locals moved to module level."""

    def __init__(self, self_name, attributes, methods, properties, helpers, renames=None, dropped_params=()):
        self.self_name = self_name
        self.dropped_params = dropped_params  # methods whose second parameter, params, was dropped
        self.attributes = attributes  # attr → global name
        self.methods = methods  # method → function name
        self.properties = properties  # property → function name
        self.helpers = helpers  # inherited helper → module function name
        self.renames = renames or {}  # local → module-level name (for __init__/load_context bodies)

    def leave_Attribute(self, original, updated):
        updated = updated.with_changes(attr=original.attr)  # an attribute name is not a variable
        value = updated.value
        if not (isinstance(value, cst.Name) and value.value == self.self_name):
            return updated
        attr = updated.attr.value
        if attr in self.properties:
            return cst.Call(func=cst.Name(self.properties[attr]))
        if attr in self.methods:
            return cst.Name(self.methods[attr])
        if attr in self.attributes:
            return cst.Name(self.attributes[attr])
        if attr in self.helpers:
            return cst.Name(self.helpers[attr])
        return updated

    def leave_Call(self, original, updated):
        func = original.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
                and func.value.value == self.self_name and func.attr.value in self.dropped_params):
            return updated
        positional = [a for a in updated.args if a.keyword is None and not a.star]
        args = [a for a in updated.args if not (a.keyword is not None and a.keyword.value == "params")
                and not (len(positional) > 1 and a is positional[1])]
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=args)

    def leave_Name(self, original, updated):
        if updated.value in self.renames:
            return updated.with_changes(value=self.renames[updated.value])
        return updated

    def leave_Arg(self, original, updated):
        # keyword= names are not variables
        if original.keyword is not None:
            return updated.with_changes(keyword=original.keyword)
        return updated


def _with_global(fn: cst.FunctionDef, names: list[str]) -> cst.FunctionDef:
    if not names:
        return fn
    decl = cst.SimpleStatementLine([cst.Global([cst.NameItem(cst.Name(n)) for n in names])])
    body = list(fn.body.body)
    at = 1 if body and is_docstring(body[0]) else 0
    return fn.with_changes(body=fn.body.with_changes(body=[*body[:at], decl, *body[at:]]))


def _bind_init_params(fn: cst.FunctionDef, call: cst.Call) -> list[tuple[str, cst.BaseExpression]]:
    params = fn.params.params[1:]
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    if any(a.star for a in call.args):
        raise Blocked(BLOCKERS["call_varargs"])
    bound = []
    for i, p in enumerate([*params, *fn.params.kwonly_params]):
        if i < len(positional) and p in params:
            value = positional[i].value
        elif p.name.value in keywords:
            value = keywords[p.name.value]
        elif p.default is not None:
            value = p.default
        else:
            raise Blocked(BLOCKERS["init_unbound"].format(parameter=p.name.value))
        bound.append((p.name.value, value))
    return bound


def _method_identifiers(fn: cst.FunctionDef) -> set[str]:
    names = identifiers(fn.body) | identifiers(fn.params)
    for d in fn.decorators:
        names |= identifiers(d)
    return names


def _is_self_copy(stmt, self_name: str) -> tuple[str, str] | None:
    """`self.a = b` with b a plain name → (a, b)."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
        assign = stmt.body[0]
        target = assign.targets[0].target if len(assign.targets) == 1 else None
        if (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == self_name
                and isinstance(assign.value, cst.Name)):
            return target.attr.value, assign.value.value
    return None


def to_functions(module: cst.Module, agent: AgentClass, state: CodemodState, artifacts: dict[str, str],
                 model_config_file: str | None) -> tuple[cst.Module, Entries]:
    cls = agent.cls
    methods = methods_of(cls)
    skip = {agent.class_index, *agent.set_model_indexes}
    if agent.instantiation_index is not None:
        skip.add(agent.instantiation_index)
    module_names = module_bound_names(module, skip)
    regular = {n: f for n, f in methods.items() if n not in SPECIAL_METHODS}
    special = {n: f for n, f in methods.items() if n in SPECIAL_METHODS}
    taken = set(module_names)
    for fn in regular.values():
        taken |= _method_identifiers(fn)
    names = Allocator(taken - (set(regular) - module_names))

    method_map: dict[str, str] = {}
    property_map: dict[str, str] = {}
    for name, fn in regular.items():
        target = property_map if "property" in decorator_names(fn) or is_cached_property(fn) else method_map
        target[name] = names.name(name)
    uses = self_uses(cls)
    written = {a.attr.value for use in uses.values() for a in use.written}
    attribute_map = {attr: names.name(attr) for attr in sorted(written)}

    helper_map = {}
    used_helpers = {a.attr.value for use in uses.values() for a in use.attributes} & set(INHERITED_HELPERS)
    for helper in sorted(used_helpers - set(methods)):
        wanted = INHERITED_HELPERS[helper]
        local = wanted if wanted not in taken or _imports_from(module, RESPONSES_MODULE, wanted) else names.name(wanted)
        helper_map[helper] = local
        state.imports.add(RESPONSES_MODULE, wanted, None if local == wanted else local)

    # The agent server passes the request alone: an entry point's `params` parameter goes, and so does the
    # argument the agent's own calls pass for it.
    dropped = {name for name in ENTRY_POINTS if name in regular and _takes_params(regular[name])}
    functions: list[Statement] = []
    functools_name = "functools"
    if any(is_cached_property(fn) for fn in regular.values()):
        if "functools" in taken and not _imports(module, "functools"):
            functools_name = names.name("functools")
        state.imports.add("functools", None, None if functools_name == "functools" else functools_name)
    for name, fn in regular.items():
        new_fn = fn.with_changes(name=cst.Name(method_map.get(name) or property_map[name]),
                                 decorators=[_computed_once(d, functools_name) if caches_property(d) else d
                                             for d in fn.decorators
                                             if decorator_name(d) not in ("staticmethod", "property")])
        if "staticmethod" not in decorator_names(fn):
            rewrite = _Rewrite(self_name_of(fn), attribute_map, method_map, property_map, helper_map,
                               dropped_params=dropped)
            new_fn = _with_global(_without_self(new_fn, rewrite, name in dropped, state),
                                  sorted({attribute_map[a.attr.value] for a in uses[name].written}))
        comments = [line for line in fn.leading_lines if line.comment]
        spacing = list(cls.leading_lines) if not functions else [cst.EmptyLine(), cst.EmptyLine()]
        functions.append(new_fn.with_changes(leading_lines=[*spacing, *comments]))

    setup = _module_setup(special, agent, module_names | taken, names, attribute_map, method_map, property_map,
                          helper_map, artifacts, model_config_file, state)

    body: list[Statement] = []
    for i, stmt in enumerate(module.body):
        if i == agent.class_index:
            body.extend(functions)
        elif i == agent.instantiation_index:
            body.extend(setup)
        elif i not in skip:
            body.append(stmt)
        elif i in agent.set_model_indexes and (kept := strip_set_model(stmt, agent.set_model_calls)) is not None:
            body.append(kept)
            skip.discard(i)
    for i in skip - set(agent.set_model_indexes):
        state.removed(module.body[i])
    for call in agent.set_model_calls:
        state.removed(call)
    replaced = {agent.class_index} | ({agent.instantiation_index} if setup else set())
    respace(body, module.body, skip - replaced)
    if not ("predict" in method_map and "predict_stream" in method_map):
        state.report("S2A111", "only one of predict/predict_stream exists; the other entry point is built from it")
    state.report("S2A100", f"class {cls.name.value} became module functions", cls)
    return module.with_changes(body=body), (method_map.get("predict"), method_map.get("predict_stream"))


def _without_self(fn: cst.FunctionDef, rewrite: _Rewrite, drop_params: bool, state: CodemodState) -> cst.FunctionDef:
    """The method's body rewritten off `self`, and its `self` parameter gone (`params` too, for an entry point
    the server calls with the request alone: bound to None when the body read it, S2A120)."""
    body = cst.ensure_type(fn.body.visit(rewrite), cst.IndentedBlock)
    params = fn.params
    kept = list(params.params[1:])
    if drop_params:
        # Read after the rewrite: passing params on to the other entry point is no longer a read.
        if "params" in identifiers(body):
            binding = cst.parse_statement("params = None  # serving2apps: the agent server passes no params\n")
            at = 1 if body.body and is_docstring(body.body[0]) else 0
            body = body.with_changes(body=[*body.body[:at], binding, *body.body[at:]])
            state.report("S2A120", f"{fn.name.value} read params; it is bound to None now", fn)
        kept.pop(1)
    if kept and not (params.star_arg != cst.MaybeSentinel.DEFAULT or params.kwonly_params or params.star_kwarg):
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return fn.with_changes(params=params.with_changes(params=kept), body=body)


def _takes_params(fn: cst.FunctionDef) -> bool:
    params = fn.params.params
    return len(params) >= 3 and params[2].name.value == "params"


def _computed_once(decorator: cst.Decorator, functools_name: str) -> cst.Decorator:
    """A cached property of the one agent instance becomes a function computed once, `@functools.cache`; each read
    `self.x` becomes a call `x()`."""
    return decorator.with_changes(decorator=cst.Attribute(value=cst.Name(functools_name), attr=cst.Name("cache")))


def _imports_from(module: cst.Module, source: str, name: str) -> bool:
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.ImportFrom) and small.module is not None \
                        and cst.Module([]).code_for_node(small.module) == source \
                        and not isinstance(small.names, cst.ImportStar) \
                        and any(a.name.value == name and a.asname is None for a in small.names):
                    return True
    return False


def _imports(module: cst.Module, source: str) -> bool:
    """`import source`, unaliased, at the top of the module."""
    return any(isinstance(small, cst.Import) and any(cst.Module([]).code_for_node(a.name) == source
                                                     and a.asname is None for a in small.names)
               for stmt in module.body if isinstance(stmt, cst.SimpleStatementLine) for small in stmt.body)


def _module_setup(special, agent, taken, names, attribute_map, method_map, property_map, helper_map,
                  artifacts, model_config_file, state) -> list[Statement]:
    """__init__ and load_context bodies as module-level statements, where the instance used to be created."""
    statements: list[Statement] = []
    allocated = set(attribute_map.values()) | set(method_map.values()) | set(property_map.values())
    local_names = Allocator(taken | allocated)
    init = special.get("__init__")
    if init is not None:
        self_name = self_name_of(init) or "self"  # the blockers refuse methods without one
        bound = _bind_init_params(init, agent.instantiation)
        param_names = {p for p, _ in bound}
        reads = name_uses(init.body)
        merged: dict[str, tuple[str, cst.BaseStatement]] = {}  # parameter → (attribute, `self.a = parameter`)
        body_stmts = [s for s in init.body.body if not is_super_init(s) and not is_docstring(s)]
        for stmt in body_stmts:
            copy = _is_self_copy(stmt, self_name)
            if copy and copy[1] in param_names and reads.count(copy[1]) == 1:
                merged[copy[1]] = (copy[0], stmt)
        renames = {}
        for local in sorted(_local_names(init) - {self_name} - set(merged)):
            renames[local] = local_names.name(local)
        for param, value in bound:
            target = attribute_map[merged[param][0]] if param in merged else renames[param]
            statements.append(assign_statement(target, value))
        rewrite = _Rewrite(self_name, attribute_map, method_map, property_map, helper_map, renames)
        copies = [stmt for _, stmt in merged.values()]
        for stmt in body_stmts:
            if not any(stmt is copy for copy in copies):
                statements.append(rewritten(stmt, rewrite))
    load = special.get("load_context")
    if load is not None:
        self_name = self_name_of(load) or "self"
        params = load.params.params
        context_param = params[1].name.value if len(params) > 1 else "context"
        renames = {local: local_names.name(local) for local in sorted(_local_names(load) - {self_name})}
        statements.append(context_statement(renames.get(context_param, context_param), artifacts, model_config_file))
        context_imports(state.imports, artifacts, model_config_file)
        rewrite = _Rewrite(self_name, attribute_map, method_map, property_map, helper_map, renames)
        for stmt in load.body.body:
            if not is_docstring(stmt):
                statements.append(rewritten(stmt, rewrite))
        if artifacts:
            state.report("S2A140", f"load_context runs at import; artifacts {', '.join(sorted(artifacts))} "
                                   "resolve beside agent.py", load)
    if statements:
        statements[0] = statements[0].with_changes(
            leading_lines=[
                cst.EmptyLine(),
                cst.EmptyLine(),
                cst.EmptyLine(comment=cst.Comment("# The agent's set-up, formerly its __init__ and load_context.")),
                *statements[0].leading_lines,
            ]
        )
    return statements


