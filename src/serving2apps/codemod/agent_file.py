"""The agent file codemod: a ResponsesAgent class → functions registered with the MLflow agent server.

Two strategies, chosen per file and reported:

- functions (S2A100): the class dissolves into module code. `__init__` and `load_context` bodies run at module
  level where the instance was created (their parameters bound from the instantiation's arguments or
  defaults), `self.x` becomes a module global `x`, methods become functions, inherited ResponsesAgent helpers
  become the `mlflow.types.responses` functions they delegate to. `predict`/`predict_stream` stay synchronous.
- adapter (S2A101): when dissolving the class is not safe (see `_blockers`), the class is kept, one module
  instance is created, and the handlers call its methods.

Either way the registered `@invoke()`/`@stream()` handlers are async adapters that run the synchronous code in
worker threads (`agent_server.adapters`), so the server's event loop is never blocked (S2A110). A file that
already registers handlers is left unchanged (S2A102), which also makes a second run a no-op.

Not handled (the adapter strategy is used instead, with the reason): several agent classes in an inheritance
chain, the class used anywhere but its one instantiation, classes defined under `if`/in functions, metaclasses
or class decorators, `super()` beyond `super().__init__()`, `self` passed around as a value, `@classmethod`,
property setters, `return` inside `__init__`/`load_context`, and `self.x` names that are never assigned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider

from serving2apps.codemod.findings import Finding
from serving2apps.codemod.import_changes import apply_import_changes
from serving2apps.codemod.name_uses import name_uses
from serving2apps.codemod.parsing import parse_source
from serving2apps.codemod.handlers import AgentFileResult, Allocator, entry_bodies, handlers, identifiers, module_bound_names
from serving2apps.codemod.kept_instance import keep_instance
from serving2apps.codemod.line_map import place_lines
from serving2apps.codemod.registered_handlers import migrate_registered
from serving2apps.codemod.self_check import check_output
from serving2apps.codemod.set_model_calls import strip_set_model
from serving2apps.codemod.to_async import blocking_calls_in_async, make_async
from serving2apps.codemod.names import (
    INHERITED_HELPERS,
    LEGACY_TYPES,
    MODEL_CONFIG,
    REFUSED_AGENTS,
    RESPONSES_AGENT,
    RESPONSES_MODULE,
    SERVER_DECORATORS,
    SET_MODEL,
    TRACE,
)
from serving2apps.errors import MigrationError

ENTRY_POINTS = ("predict", "predict_stream")
SPECIAL_METHODS = ("__init__", "load_context")


@dataclass
class _Agent:
    cls: cst.ClassDef
    class_index: int  # position of the class in module.body
    instantiation: cst.Call | None
    instantiation_index: int | None  # the statement that creates the instance
    instance_name: str | None  # AGENT in AGENT = MyAgent()
    set_model_indexes: list[int]  # the top-level statements that hold a set_model() call
    set_model_calls: list[cst.Call]


# ---------------------------------------------------------------- analysis


class _Scan(cst.CSTVisitor):
    """Collects classes, set_model calls and server decorators with their qualified names."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self):
        self.classes: list[cst.ClassDef] = []
        self.base_names: dict[int, set[str]] = {}  # id(class) → qualified names of its bases
        self.set_model_calls: list[cst.Call] = []
        self.registered = False

    def _names(self, node) -> set[str]:
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def visit_ClassDef(self, node):
        self.classes.append(node)
        self.base_names[id(node)] = set().union(*[self._names(b.value) for b in node.bases] or [set()])

    def visit_Call(self, node):
        if self._names(node.func) & SET_MODEL:
            self.set_model_calls.append(node)

    def visit_Decorator(self, node):
        target = node.decorator.func if isinstance(node.decorator, cst.Call) else node.decorator
        if self._names(target) & SERVER_DECORATORS:
            self.registered = True


def _statement_calls(stmt: cst.CSTNode, call: cst.Call) -> bool:
    found = []

    class _Find(cst.CSTVisitor):
        def visit_Call(self, node):
            if node is call:
                found.append(node)

    stmt.visit(_Find())
    return bool(found)


def _locate(module: cst.Module, scan: _Scan, filename: str) -> _Agent:
    def base_names(cls):
        return scan.base_names[id(cls)]

    agents = [c for c in scan.classes if base_names(c) & RESPONSES_AGENT]
    # Subclasses of agent classes are agents too (an abstract base agent plus a concrete one).
    changed = True
    while changed:
        changed = False
        names = {c.name.value for c in agents}
        for c in scan.classes:
            if c not in agents and any(isinstance(b.value, cst.Name) and b.value.value in names for b in c.bases):
                agents.append(c)
                changed = True
    if not agents:
        refused = [REFUSED_AGENTS[n] for c in scan.classes for n in base_names(c) if n in REFUSED_AGENTS]
        if refused:
            raise MigrationError(
                f"{filename} defines {refused[0]}, not a ResponsesAgent",
                "port the agent to mlflow.pyfunc.ResponsesAgent first; serving2apps migrates ResponsesAgent models",
                code="S2A192",
            )
        raise MigrationError(
            f"{filename} defines no mlflow.pyfunc.ResponsesAgent subclass",
            "point serving2apps at the model whose agent file subclasses ResponsesAgent",
            code="S2A193",
        )
    by_name = {c.name.value: c for c in agents}
    top_index = {id(stmt): i for i, stmt in enumerate(module.body)}

    instantiation = instance_name = instantiation_index = None
    chosen = None
    set_model_indexes = [i for i, stmt in enumerate(module.body) for call in scan.set_model_calls
                         if _statement_calls(stmt, call)]
    for call in scan.set_model_calls:
        arg = call.args[0].value if call.args else None
        if isinstance(arg, cst.Call) and isinstance(arg.func, cst.Name) and arg.func.value in by_name:
            chosen, instantiation = by_name[arg.func.value], arg
            instantiation_index = next(i for i in set_model_indexes if _statement_calls(module.body[i], call))
        elif isinstance(arg, cst.Name):
            for i, stmt in enumerate(module.body):
                assign = _simple_assign(stmt)
                if assign and assign[0] == arg.value and isinstance(assign[1], cst.Call) \
                        and isinstance(assign[1].func, cst.Name) and assign[1].func.value in by_name:
                    chosen, instantiation, instance_name, instantiation_index = (
                        by_name[assign[1].func.value], assign[1], arg.value, i)
    if chosen is None:
        bases = {b.value.value for c in agents for b in c.bases if isinstance(b.value, cst.Name)}
        leaves = [c for c in agents if c.name.value not in bases]
        if len(leaves) != 1:
            raise MigrationError(
                f"{filename} defines several ResponsesAgent classes ({', '.join(c.name.value for c in leaves)}) "
                "and no set_model() call says which one is served",
                "add mlflow.models.set_model(YourAgent()) to the agent file, as model serving requires",
                code="S2A194",
            )
        chosen = leaves[0]
    return _Agent(
        cls=chosen,
        class_index=top_index.get(id(chosen), -1),
        instantiation=instantiation,
        instantiation_index=instantiation_index,
        instance_name=instance_name,
        set_model_indexes=sorted(set(set_model_indexes)),
        set_model_calls=scan.set_model_calls,
    )


def _simple_assign(stmt) -> tuple[str, cst.BaseExpression] | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
        assign = stmt.body[0]
        if len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name):
            return assign.targets[0].target.value, assign.value
    return None


def _methods(cls: cst.ClassDef) -> dict[str, cst.FunctionDef]:
    return {s.name.value: s for s in cls.body.body if isinstance(s, cst.FunctionDef)}


def _decorator_names(fn: cst.FunctionDef) -> list[str]:
    names = []
    for d in fn.decorators:
        target = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
        names.append(cst.Module([]).code_for_node(target))
    return names


class _SelfUse(cst.CSTVisitor):
    """How a method uses `self`: attributes read, attributes written, and anything else."""

    def __init__(self, self_name: str):
        self.self_name = self_name
        self.attributes: list[cst.Attribute] = []
        self.written: list[cst.Attribute] = []
        self.bare_self = 0
        self.super_calls: list[cst.Call] = []
        self.returns = 0

    def visit_Attribute(self, node):
        if isinstance(node.value, cst.Name) and node.value.value == self.self_name:
            self.attributes.append(node)
            return False  # the `self` inside is accounted for
        return True

    def visit_AssignTarget(self, node):
        self._mark_written(node.target)

    def visit_AugAssign(self, node):
        self._mark_written(node.target)

    def visit_AnnAssign(self, node):
        self._mark_written(node.target)

    def visit_Del(self, node):
        self._mark_written(node.target)  # `del self.x` rebinds the global x: it needs `global x` too

    def _mark_written(self, target):
        targets = target.elements if isinstance(target, (cst.Tuple, cst.List)) else [target]
        for t in targets:
            if isinstance(t, (cst.Element, cst.StarredElement)):
                t = t.value
            if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == self.self_name:
                self.written.append(t)

    def visit_Name(self, node):
        if node.value == self.self_name:
            self.bare_self += 1

    def visit_Param(self, node):
        return False

    def visit_Call(self, node):
        if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Call) \
                and isinstance(node.func.value.func, cst.Name) and node.func.value.func.value == "super":
            self.super_calls.append(node)

    def visit_Return(self, node):
        self.returns += 1


def _self_name(fn: cst.FunctionDef) -> str | None:
    params = fn.params.params
    return params[0].name.value if params else None


def _self_uses(cls: cst.ClassDef) -> dict[str, _SelfUse]:
    """How each method uses self; static methods and methods without a self parameter are left out."""
    uses = {}
    for name, fn in _methods(cls).items():
        self_name = _self_name(fn)
        if self_name is not None and "staticmethod" not in _decorator_names(fn):
            uses[name] = _SelfUse(self_name)
            fn.body.visit(uses[name])
    return uses


def _is_super_init(stmt) -> bool:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr):
        call = stmt.body[0].value
        return (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "__init__"
                and isinstance(call.func.value, cst.Call) and isinstance(call.func.value.func, cst.Name)
                and call.func.value.func.value == "super")
    return False


def _instance_uses(module: cst.Module, agent: _Agent) -> int:
    """Uses of the instance's name other than its assignment and the set_model() arguments."""
    uses = sum(name_uses(stmt).count(agent.instance_name) for stmt in module.body)
    handed = sum(1 for call in agent.set_model_calls if call.args and isinstance(call.args[0].value, cst.Name)
                 and call.args[0].value.value == agent.instance_name)
    return uses - 1 - handed


# Why the functions strategy does not apply: each reason a rule of its own, reported in S2A101 (the class is
# kept), and each with a fixture (tests/codemod/test_agent_file.py checks it).
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


def _blockers(module: cst.Module, agent: _Agent, class_refs: int) -> list[str]:
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
    if class_refs > 1:
        block("class_used")
    if agent.instantiation is None:
        block("no_instance")
    if agent.instance_name and _instance_uses(module, agent):
        block("instance_used", instance=agent.instance_name)
    for stmt in cls.body.body:
        if isinstance(stmt, cst.FunctionDef):
            continue
        if isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(s, cst.Expr) and
                                                             isinstance(s.value, cst.SimpleString) for s in stmt.body):
            continue  # docstring
        block("class_body")
        break
    methods = _methods(cls)
    uses = _self_uses(cls)
    attributes_written = set()
    for name, fn in methods.items():
        decorators = _decorator_names(fn)
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
        allowed_super = 1 if name == "__init__" and any(_is_super_init(s) for s in fn.body.body) else 0
        if len(use.super_calls) > allowed_super:
            block("super", method=name)
        if use.bare_self:
            block("self_value", method=name)
        if name in SPECIAL_METHODS and use.returns:
            block("early_return", method=name)
        if name == "__init__" and (isinstance(fn.params.star_arg, cst.Param) or fn.params.star_kwarg is not None):
            block("init_varargs")
    known = set(methods) | attributes_written | set(INHERITED_HELPERS)
    for name, use in uses.items():
        unknown = sorted({a.attr.value for a in use.attributes} - known)
        if unknown:
            block("unassigned", method=name, attribute=unknown[0])
    if "predict" not in methods and "predict_stream" not in methods:
        block("no_entry_point")
    return list(dict.fromkeys(reasons))


# ---------------------------------------------------------------- the functions strategy


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
            bound.add((node.asname.name.value if node.asname else cst.Module([]).code_for_node(node.name)).split(".")[0])

        def visit_FunctionDef(self, node):
            bound.add(node.name.value)
            return False

        def visit_Lambda(self, node):
            return False

    fn.body.visit(_Bound())
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
    at = 1 if body and _is_docstring(body[0]) else 0
    return fn.with_changes(body=fn.body.with_changes(body=[*body[:at], decl, *body[at:]]))


def _is_docstring(stmt) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _assign(name: str, value: cst.BaseExpression) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(name))], value)])


def _bind_init_params(fn: cst.FunctionDef, call: cst.Call) -> list[tuple[str, cst.BaseExpression]]:
    params = fn.params.params[1:]
    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    if any(a.star for a in call.args):
        raise _Blocked(BLOCKERS["call_varargs"])
    bound = []
    for i, p in enumerate([*params, *fn.params.kwonly_params]):
        if i < len(positional) and p in params:
            value = positional[i].value
        elif p.name.value in keywords:
            value = keywords[p.name.value]
        elif p.default is not None:
            value = p.default
        else:
            raise _Blocked(BLOCKERS["init_unbound"].format(parameter=p.name.value))
        bound.append((p.name.value, value))
    return bound


class _Blocked(Exception):
    pass


def _context_statement(name: str, artifacts: dict[str, str], model_config_file: str | None) -> cst.SimpleStatementLine:
    """`name = PythonModelContext(...)` with the artifacts' new paths beside this file."""
    here = "Path(__file__).resolve().parent"
    entries = "".join(
        f"        {json.dumps(key)}: str({here} / {json.dumps(path)}),\n" for key, path in sorted(artifacts.items())
    )
    config = (f"ModelConfig(development_config=str({here} / {json.dumps(model_config_file)})).to_dict()"
              if model_config_file else "None")
    return cst.parse_statement(
        f"{name} = PythonModelContext(\n    artifacts={{\n{entries}    }},\n    model_config={config},\n)\n"
    )


def _context_imports(context: CodemodContext, artifacts: dict[str, str], model_config_file: str | None) -> None:
    AddImportsVisitor.add_needed_import(context, "mlflow.pyfunc", "PythonModelContext")
    if artifacts or model_config_file:  # the paths beside this file
        AddImportsVisitor.add_needed_import(context, "pathlib", "Path")
    if model_config_file:
        AddImportsVisitor.add_needed_import(context, "mlflow.models", "ModelConfig")


def _line(positions, node) -> int | None:
    position = positions.get(node)
    return position.start.line if position else None


class _CodemodState:
    def __init__(self, filename, wrapper):
        self.filename = filename
        self.positions = wrapper.resolve(PositionProvider)
        self.findings: list[Finding] = []
        # With the wrapper, libcst can tell which imports a removed statement used.
        self.context = CodemodContext(wrapper=wrapper)

    def removed(self, stmt: cst.CSTNode) -> None:
        RemoveImportsVisitor.remove_unused_import_by_node(self.context, stmt)

    def report(self, code: str, message: str, node=None):
        self.findings.append(Finding(code, message, self.filename, _line(self.positions, node) if node else None))


MODES = ("async", "sync")


@dataclass
class _Input:
    """The agent file after the rewrites every strategy shares (type names, ModelConfig paths)."""

    source: str
    filename: str
    wrapper: MetadataWrapper
    scan: _Scan
    renamed: list[str]
    pointed: int
    artifacts: dict[str, str]
    model_config_file: str | None

    def state(self) -> _CodemodState:
        """A fresh state per attempt: a failed strategy's scheduled imports must not leak into the next."""
        state = _CodemodState(self.filename, self.wrapper)
        if self.renamed:
            state.report("S2A103", f"old type names {', '.join(self.renamed)} now use their current names")
        if self.pointed:
            state.report("S2A161", f"{self.pointed} ModelConfig() call(s) now read the model's config from "
                                   f"{self.model_config_file}")
            AddImportsVisitor.add_needed_import(state.context, "pathlib", "Path")
        return state


class _NotApplicable(Exception):
    """A strategy that does not fit this file (why is in the message); the ladder moves on."""


# Past this, libcst's passes take more than seconds (they grow with the file); agents are far smaller, and
# files this long are exported notebooks with data in them.
MAX_AGENT_LINES = 5000


def migrate_agent_source(
    source: str,
    filename: str = "agent.py",
    artifacts: dict[str, str] | None = None,
    model_config_file: str | None = None,
    mode: str = "sync",
) -> AgentFileResult:
    """Migrate the agent file's source; refused (S2A195, S2A196) when it is too large or too deeply nested for
    the codemod to finish in seconds. See `_migrate_agent_source`."""
    lines = source.count("\n") + 1
    if lines > MAX_AGENT_LINES:
        raise MigrationError(f"{filename} has {lines} lines; serving2apps migrates agent files of up to "
                             f"{MAX_AGENT_LINES} lines", "move data and helpers out of the agent file into code/ "
                             "modules (they are copied as they are) and log the model again", code="S2A196")
    try:
        return _migrate_agent_source(source, filename, artifacts, model_config_file, mode)
    except RecursionError:
        raise MigrationError(f"{filename} nests an expression too deeply for the codemod (a very long chain of "
                             "operators or calls)", "split that expression into several statements and log the "
                             "model again", code="S2A195") from None


def _migrate_agent_source(source: str, filename: str, artifacts: dict[str, str] | None,
                          model_config_file: str | None, mode: str) -> AgentFileResult:
    """Migrate the agent file's source. `artifacts` maps artifact keys to their new paths relative to the
    file (as load_context's context.artifacts will see them); `model_config_file` likewise.

    Strategies are tried in order and the first whose output passes the self-check is used: functions (in
    async mode converted by `to_async` first, then without the conversion), kept class, kept instance. An
    output that fails the check is reported (S2A180) with its problems and never returned."""
    parsed, renamed = _rename_legacy_types(parse_source(source, filename))
    pointed = 0
    if model_config_file:
        parsed, pointed = _point_model_config(parsed, model_config_file)
    wrapper = MetadataWrapper(parsed)
    scan = _Scan()
    wrapper.visit(scan)
    given = _Input(source, filename, wrapper, scan, renamed, pointed, artifacts or {}, model_config_file)
    if scan.registered:
        result = migrate_registered(wrapper.module, filename)
        problems = _self_check(given, result)
        if problems:
            raise MigrationError(
                f"{filename} registers its own handlers, and making them safe to serve failed the self-check "
                f"({'; '.join(problems[:3])})",
                "fix the registered @invoke/@stream handlers by hand (async def, once each), and please report "
                "the file to serving2apps", code="S2A191")
        return result

    failures: list[Finding] = []
    why = ""  # why the strategies tried so far were not used
    for label, attempt in _ladder(given, mode):
        try:
            result = attempt(why)
        except _NotApplicable as exc:
            why = str(exc)
            continue
        problems = _self_check(given, result)
        if problems:
            failures.append(Finding("S2A180", f"the {label} output failed the self-check "
                                              f"({'; '.join(problems[:3])}), so it was not used", filename))
            why = f"the {label} output did not pass the self-check (S2A180)"
            continue
        result.findings[:0] = failures
        return result
    raise MigrationError(  # only when even the file as it was cannot be served: a serving2apps bug
        f"{filename}: no strategy produced an agent that passes the self-check",
        "please report the file to serving2apps; meanwhile migrate it by hand", code="S2A191")


def _ladder(given: _Input, mode: str):
    """(label, attempt) pairs, safest last. An attempt raises _NotApplicable when the file does not fit it."""
    located: list = []

    def agent() -> _Agent:
        if not located:
            try:
                located.append(_locate(given.wrapper.module, given.scan, given.filename))
            except MigrationError as exc:
                if exc.code == "S2A192" or not given.scan.set_model_calls or _serves_no_agent(given):
                    raise
                located.append(exc)  # the kept instance serves what set_model() got: a class from code/, say
        if isinstance(located[0], MigrationError):
            raise _NotApplicable(located[0].problem)
        return located[0]

    if mode == "async":
        yield "functions strategy converted to async", lambda why: _functions_attempt(given, agent(), mode, True)
    yield "functions strategy", lambda why: _functions_attempt(given, agent(), mode, False)
    yield "kept class", lambda why: _adapter_attempt(given, agent(), mode, why)
    yield "kept instance", lambda why: _instance_attempt(given, agent, mode, why)


def _serves_no_agent(given: _Input) -> bool:
    """set_model() is handed something this file shows is no ResponsesAgent: a lambda, one of its functions,
    or an instance of one of its other classes. (An instance of an imported class may be one.)"""
    local = {stmt.name.value for stmt in given.wrapper.module.body if isinstance(stmt, (cst.FunctionDef, cst.ClassDef))}
    for call in given.scan.set_model_calls:
        arg = call.args[0].value if call.args else None
        if isinstance(arg, cst.Call):
            arg = arg.func
        if isinstance(arg, cst.Lambda) or (isinstance(arg, cst.Name) and arg.value in local):
            return True
    return False


def _is_main_guard(stmt) -> bool:
    return isinstance(stmt, cst.If) and "__main__" in cst.Module([]).code_for_node(stmt.test)


def _report_import_time_calls(module: cst.Module, agent: _Agent, state: _CodemodState) -> None:
    """Calls on the agent instance left at module level (a notebook's smoke test) run when the app starts:
    they keep working on the kept instance, but each one calls the agent (and its model) at every start-up.
    Those under `if __name__ == "__main__":` never run in the app and are not reported."""
    if not agent.instance_name:
        return
    found: list[cst.Call] = []

    class _Calls(cst.CSTVisitor):
        def visit_FunctionDef(self, node):
            return False

        def visit_ClassDef(self, node):
            return False

        def visit_Lambda(self, node):
            return False

        def visit_Call(self, node):
            root = node.func
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name) and root.value == agent.instance_name and root is not node.func:
                found.append(node)

    for stmt in module.body:
        if not _is_main_guard(stmt):
            stmt.visit(_Calls())
    for call in found:
        what = cst.Module([]).code_for_node(call.func)
        state.report("S2A106", f"{what}() runs at import, so the agent answers once at every start of the app", call)


def _class_refs(module: cst.Module, agent: _Agent) -> int:
    return sum(1 for stmt in module.body for n in name_uses(stmt) if n == agent.cls.name.value) - 1


def _functions_attempt(given: _Input, agent: _Agent, mode: str, native: bool) -> AgentFileResult:
    module = given.wrapper.module
    reasons = _blockers(module, agent, _class_refs(module, agent))
    if reasons:
        raise _NotApplicable(reasons[0])
    state = given.state()
    _report_hazards(agent.cls, state)
    try:
        new_module, entries = _to_functions(module, agent, state, given.artifacts, given.model_config_file)
    except _Blocked as exc:
        raise _NotApplicable(str(exc)) from None
    if not native:
        if mode == "async":
            state.report("S2A172", "the converted functions stay synchronous and run in worker threads")
        return _with_handlers(new_module, entries, set(), state, "functions", state.context)
    # The async conversion reads the imports, so they are settled first.
    result = make_async(apply_import_changes(new_module, state.context), [e for e in entries if e], given.filename)
    if not result.async_functions:  # nothing to convert: exactly the sync mode output, with the reason
        sync = _functions_attempt(given, agent, "sync", native=False)
        sync.findings += result.findings
        return sync
    state.findings += result.findings
    return _with_handlers(result.module, entries, result.async_functions, state, "functions")


def _adapter_attempt(given: _Input, agent: _Agent, mode: str, why: str) -> AgentFileResult:
    module = given.wrapper.module
    reasons = _blockers(module, agent, _class_refs(module, agent)) or [why]
    if agent.instantiation is None and given.scan.set_model_calls:
        raise _NotApplicable("set_model() is handed an instance built elsewhere (a factory, another module)")
    state = given.state()
    _report_hazards(agent.cls, state)
    _report_import_time_calls(module, agent, state)
    try:
        new_module, entries = _to_adapter(module, agent, state, given.artifacts, given.model_config_file, reasons)
    except MigrationError as exc:
        raise _NotApplicable(exc.problem) from None
    if mode == "async":
        state.report("S2A176", "the class was kept (S2A101), so its methods stay synchronous and run in worker threads")
    return _with_handlers(new_module, entries, set(), state, "adapter", state.context)


def _instance_attempt(given: _Input, agent, mode: str, why: str) -> AgentFileResult:
    state = given.state()
    try:
        _report_hazards(agent().cls, state)
    except _NotApplicable as exc:
        why = str(exc)
    module = apply_import_changes(given.wrapper.module, state.context)
    names = Allocator(module_bound_names(module, set()))

    def context_statement(name: str, context: CodemodContext) -> cst.SimpleStatementLine:
        _context_imports(context, given.artifacts, given.model_config_file)
        return _context_statement(name, given.artifacts, given.model_config_file)

    def register(slot: str, context: CodemodContext) -> list[cst.BaseStatement]:
        return handlers(f"return await {slot}.invoke(request)",
                         f"async for event in {slot}.stream(request):\n        yield event", set(), names, context)

    code, findings = keep_instance(module, given.filename, names, context_statement, register)
    state.findings += findings
    state.report("S2A101", f"the agent object is served as it is: {why}")
    if mode == "async":
        state.report("S2A176", "the agent object was kept, so its methods stay synchronous and run in worker threads")
    return AgentFileResult(code, "instance", state.findings)


def _with_handlers(new_module: cst.Module, entries, native: set[str], state: _CodemodState, strategy: str,
                   context: CodemodContext | None = None) -> AgentFileResult:
    """Append the handlers and apply the import changes: those scheduled on `context` (the strategy's own,
    applied in the same pass) and the handlers' own."""
    if set(entries) - native - {None}:
        state.report("S2A110", "predict/predict_stream are served through async adapters that run them in worker threads")
    context = context or CodemodContext()
    names = Allocator(module_bound_names(new_module, set()))
    registration = handlers(*entry_bodies(*entries, native), names, context)
    new_module = apply_import_changes(new_module.with_changes(body=[*new_module.body, *registration]), context)
    return AgentFileResult(new_module.code, strategy, state.findings)


def _self_check(given: _Input, result: AgentFileResult) -> list[str]:
    """The independent self-check's problems with this output; when there are none, the findings' lines are
    placed in the output (beside the original file's)."""
    check = check_output(given.source, result.code, _blocking_messages)
    if not check.ok:
        return check.problems
    if check.unchecked:
        result.findings.append(Finding("S2A182", f"the output was not self-checked: {check.unchecked}",
                                       given.filename))
    result.findings = place_lines(result.findings, given.source, result.code)
    return []


def _blocking_messages(code: str, functions: set[str]) -> list[str]:
    return [f"{f.message} (line {f.line})" for f in blocking_calls_in_async(code, "agent.py", functions)]


class _ModelConfigCalls(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self):
        self.calls: list[cst.Call] = []

    def visit_Call(self, node):
        if {q.name for q in self.get_metadata(QualifiedNameProvider, node.func, set())} & MODEL_CONFIG:
            self.calls.append(node)


def _point_model_config(module: cst.Module, config_file: str) -> tuple[cst.Module, int]:
    """ModelConfig() read the config inlined in MLmodel on Model Serving (it wins over development_config);
    in the app that config is a file beside agent.py, so every call reads it from there."""
    wrapper = MetadataWrapper(module)
    found = _ModelConfigCalls()
    wrapper.visit(found)
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


def _rename_legacy_types(module: cst.Module) -> tuple[cst.Module, list[str]]:
    imports = _LegacyTypes()
    module = module.visit(imports)
    if imports.bound:
        module = module.visit(_RenameNames(imports.bound))
    return module, imports.renamed


def _report_hazards(cls: cst.ClassDef, state: _CodemodState) -> None:
    """Concurrency hazards that exist in both strategies: per-request state and request mutation."""
    methods = _methods(cls)
    for name, use in _self_uses(cls).items():
        if name in SPECIAL_METHODS:
            continue
        fn = methods[name]
        for attr in use.written:
            state.report("S2A130", f"{name} writes self.{attr.attr.value}, shared by every request", attr)
        if name in ENTRY_POINTS:
            params = fn.params.params
            if len(params) > 1:
                _report_request_mutation(fn, params[1].name.value, state)
            if any(d in TRACE or d in {"mlflow.trace", "trace"} for d in _decorator_names(fn)):
                state.report("S2A121", f"{name} is decorated with @mlflow.trace", fn)


def _report_request_mutation(fn: cst.FunctionDef, request: str, state: _CodemodState) -> None:
    def rooted_in_request(node) -> bool:
        while isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        return isinstance(node, cst.Name) and node.value == request

    class _Mutation(cst.CSTVisitor):
        def visit_AssignTarget(self, node):
            if not isinstance(node.target, cst.Name) and rooted_in_request(node.target):
                state.report("S2A131", f"{fn.name.value} assigns to {request}", node)

        def visit_Call(self, node):
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in {
                "append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault",
            } and rooted_in_request(node.func.value):
                state.report("S2A131", f"{fn.name.value} changes {request} in place ({node.func.attr.value})", node)

    fn.body.visit(_Mutation())


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


def _to_functions(module, agent: _Agent, state: _CodemodState, artifacts, model_config_file) -> cst.Module:
    cls = agent.cls
    methods = _methods(cls)
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

    method_map, property_map = {}, {}
    for name, fn in regular.items():
        target = property_map if "property" in _decorator_names(fn) else method_map
        target[name] = names.name(name)
    uses = _self_uses(cls)
    written = {a.attr.value for use in uses.values() for a in use.written}
    attribute_map = {attr: names.name(attr) for attr in sorted(written)}

    helper_map = {}
    used_helpers = {a.attr.value for use in uses.values() for a in use.attributes} & set(INHERITED_HELPERS)
    for helper in sorted(used_helpers - set(methods)):
        wanted = INHERITED_HELPERS[helper]
        local = wanted if wanted not in taken or _imports_from(module, RESPONSES_MODULE, wanted) else names.name(wanted)
        helper_map[helper] = local
        AddImportsVisitor.add_needed_import(state.context, RESPONSES_MODULE, wanted, None if local == wanted else local)

    # The agent server passes the request alone: an entry point's `params` parameter goes, and so does the
    # argument the agent's own calls pass for it.
    dropped = {name: method_map[name] for name in ENTRY_POINTS if name in regular and _takes_params(regular[name])}
    functions = []
    for name, fn in regular.items():
        decorators = [d for d in fn.decorators if _decorator_names_of(d) not in ("staticmethod", "property")]
        is_static = "staticmethod" in _decorator_names(fn)
        params = fn.params
        body = fn.body
        if not is_static:
            self_name = _self_name(fn)
            kept = list(params.params[1:])
            body = body.visit(_Rewrite(self_name, attribute_map, method_map, property_map, helper_map,
                                       dropped_params=set(dropped)))
            if name in dropped:
                # Read after the rewrite: passing params on to the other entry point is no longer a read.
                if "params" in identifiers(body):
                    binding = cst.parse_statement("params = None  # serving2apps: the agent server passes no params\n")
                    at = 1 if body.body and _is_docstring(body.body[0]) else 0
                    body = body.with_changes(body=[*body.body[:at], binding, *body.body[at:]])
                    state.report("S2A120", f"{name} read params; it is bound to None now", fn)
                kept.pop(1)
            if kept and not (params.star_arg != cst.MaybeSentinel.DEFAULT or params.kwonly_params or params.star_kwarg):
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            params = params.with_changes(params=kept)
            globals_needed = sorted({attribute_map[a.attr.value] for a in uses[name].written})
        else:
            globals_needed = []
        new_fn = fn.with_changes(
            name=cst.Name(method_map.get(name) or property_map[name]), params=params, body=body, decorators=decorators
        )
        functions.append(_with_global(new_fn, globals_needed))
    for i, fn in enumerate(functions):
        comments = [line for line in fn.leading_lines if line.comment]
        spacing = list(cls.leading_lines) if i == 0 else [cst.EmptyLine(), cst.EmptyLine()]
        functions[i] = fn.with_changes(leading_lines=[*spacing, *comments])

    setup = _module_setup(special, agent, module_names | taken, names, attribute_map, method_map, property_map,
                          helper_map, artifacts, model_config_file, state)

    body = []
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
    _respace(body, module.body, skip - replaced)
    if not ("predict" in method_map and "predict_stream" in method_map):
        state.report("S2A111", "only one of predict/predict_stream exists; the other entry point is built from it")
    state.report("S2A100", f"class {cls.name.value} became module functions", cls)
    return module.with_changes(body=body), (method_map.get("predict"), method_map.get("predict_stream"))


def _blank_lines(stmt) -> int:
    return sum(1 for line in stmt.leading_lines if line.comment is None)


def _respace(body: list, original_body: list, removed: set[int]) -> None:
    """A statement that follows removed ones keeps the spacing the first removed one had (PEP 8's two blank
    lines after a class, for instance)."""
    kept_after = {}
    run_start = None
    for i, stmt in enumerate(original_body):
        if i in removed:
            run_start = i if run_start is None else run_start
        elif run_start is not None:
            kept_after[id(stmt)] = _blank_lines(original_body[run_start])
            run_start = None
    for j, stmt in enumerate(body):
        wanted = min(kept_after.get(id(stmt), 0), 2)
        if _blank_lines(stmt) < wanted:
            extra = [cst.EmptyLine() for _ in range(wanted - _blank_lines(stmt))]
            body[j] = stmt.with_changes(leading_lines=[*extra, *stmt.leading_lines])


def _takes_params(fn: cst.FunctionDef) -> bool:
    params = fn.params.params
    return len(params) >= 3 and params[2].name.value == "params"


def _decorator_names_of(decorator: cst.Decorator) -> str:
    target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
    return cst.Module([]).code_for_node(target)


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


def _module_setup(special, agent, taken, names, attribute_map, method_map, property_map, helper_map,
                  artifacts, model_config_file, state) -> list[cst.BaseStatement]:
    """__init__ and load_context bodies as module-level statements, where the instance used to be created."""
    statements: list[cst.BaseStatement] = []
    allocated = set(attribute_map.values()) | set(method_map.values()) | set(property_map.values())
    local_names = Allocator(taken | allocated)
    init = special.get("__init__")
    if init is not None:
        self_name = _self_name(init)
        bound = _bind_init_params(init, agent.instantiation)
        param_names = {p for p, _ in bound}
        reads = name_uses(init.body)
        merged = {}
        body_stmts = [s for s in init.body.body if not _is_super_init(s) and not _is_docstring(s)]
        for stmt in body_stmts:
            copy = _is_self_copy(stmt, self_name)
            if copy and copy[1] in param_names and reads.count(copy[1]) == 1:
                merged[copy[1]] = stmt
        renames = {}
        for local in sorted(_local_names(init) - {self_name} - set(merged)):
            renames[local] = local_names.name(local)
        for param, value in bound:
            if param in merged:
                attr = _is_self_copy(merged[param], self_name)[0]
                statements.append(_assign(attribute_map[attr], value))
            else:
                statements.append(_assign(renames[param], value))
        rewrite = _Rewrite(self_name, attribute_map, method_map, property_map, helper_map, renames)
        for stmt in body_stmts:
            if any(stmt is m for m in merged.values()):
                continue
            statements.append(stmt.visit(rewrite))
    load = special.get("load_context")
    if load is not None:
        self_name = _self_name(load)
        params = load.params.params
        context_param = params[1].name.value if len(params) > 1 else "context"
        renames = {local: local_names.name(local) for local in sorted(_local_names(load) - {self_name})}
        statements.append(_context_statement(renames.get(context_param, context_param), artifacts, model_config_file))
        _context_imports(state.context, artifacts, model_config_file)
        rewrite = _Rewrite(self_name, attribute_map, method_map, property_map, helper_map, renames)
        for stmt in load.body.body:
            if not _is_docstring(stmt):
                statements.append(stmt.visit(rewrite))
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


# ---------------------------------------------------------------- the adapter strategy


def _to_adapter(module, agent: _Agent, state: _CodemodState, artifacts, model_config_file, reasons) -> cst.Module:
    if agent.instantiation is None and agent.class_index < 0:
        raise MigrationError(
            f"{state.filename}: cannot find where the served {agent.cls.name.value} instance is created",
            "create it at module level (AGENT = MyAgent()) and pass it to set_model(AGENT)",
        )
    names = Allocator(module_bound_names(module, set()))
    instance = agent.instance_name or names.name("AGENT")
    defined = set(_methods(agent.cls))
    for c in _all_classes(module):
        defined |= set(_methods(c))
    after_instance: list[cst.BaseStatement] = []
    if "load_context" in defined:
        context = names.name("model_context")
        after_instance = [
            _context_statement(context, artifacts, model_config_file),
            cst.parse_statement(f"{instance}.load_context({context})\n"),
        ]
        _context_imports(state.context, artifacts, model_config_file)
    body = []
    for i, stmt in enumerate(module.body):
        if i == agent.instantiation_index and agent.instance_name is None:
            body.append(_assign(instance, agent.instantiation).with_changes(leading_lines=stmt.leading_lines))
            body.extend(after_instance)
        elif i == agent.instantiation_index:
            body.append(stmt)
            body.extend(after_instance)
        elif i not in agent.set_model_indexes:
            body.append(stmt)
        elif (kept := strip_set_model(stmt, agent.set_model_calls)) is not None:
            body.append(kept)
    for call in agent.set_model_calls:
        state.removed(call)
    removed = {i for i in agent.set_model_indexes if strip_set_model(module.body[i], agent.set_model_calls) is None}
    _respace(body, module.body, removed - {agent.instantiation_index})
    if agent.instantiation is None:
        created = _assign(instance, cst.Call(cst.Name(agent.cls.name.value)))
        body.append(created.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()]))
        body.extend(after_instance)
    state.report("S2A101", f"class {agent.cls.name.value} kept, served through {instance}: " + "; ".join(reasons),
                 agent.cls)
    entries = (f"{instance}.predict" if "predict" in defined else None,
               f"{instance}.predict_stream" if "predict_stream" in defined else None)
    return module.with_changes(body=body), entries


def _all_classes(module) -> list[cst.ClassDef]:
    found = []

    class _Classes(cst.CSTVisitor):
        def visit_ClassDef(self, node):
            found.append(node)

    module.visit(_Classes())
    return found
