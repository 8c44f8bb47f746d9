"""Which class is the served agent, and where its instance and `set_model()` calls are.

Refusals (the file cannot be a ResponsesAgent model): S2A193 (no ResponsesAgent subclass), S2A194 (several, and
no `set_model()` says which one). A file whose agent is a ChatAgent or ChatModel is told apart (`chat_interface`).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from serving2apps.codemod.names import CHAT_AGENTS, RESPONSES_AGENT, SERVER_DECORATORS, SET_MODEL
from serving2apps.codemod.node_search import walk
from serving2apps.errors import MigrationError

CODES = ("S2A193", "S2A194")


@dataclass
class AgentClass:
    cls: cst.ClassDef
    class_index: int  # position of the class in module.body
    instantiation: cst.Call | None
    instantiation_index: int | None  # the statement that creates the instance
    instance_name: str | None  # AGENT in AGENT = MyAgent()
    set_model_indexes: list[int]  # the top-level statements that hold a set_model() call
    set_model_calls: list[cst.Call]


class Scan(cst.CSTVisitor):
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

    def chat_interface(self) -> str | None:
        """"ChatAgent" or "ChatModel" when that is what the file defines and it defines no ResponsesAgent."""
        bases = set().union(*self.base_names.values()) if self.base_names else set()
        if bases & RESPONSES_AGENT:
            return None
        return next((CHAT_AGENTS[name] for name in sorted(bases) if name in CHAT_AGENTS), None)

    def served_names(self) -> list[str]:
        """The names handed to set_model() (AGENT in set_model(AGENT)), in call order."""
        args = [call.args[0].value for call in self.set_model_calls if call.args]
        return list(dict.fromkeys(a.value for a in args if isinstance(a, cst.Name)))


def _statement_calls(stmt: cst.CSTNode, call: cst.Call) -> bool:
    found = []

    class _Find(cst.CSTVisitor):
        def visit_Call(self, node):
            if node is call:
                found.append(node)

    walk(stmt, _Find())
    return bool(found)


def locate(module: cst.Module, scan: Scan, filename: str) -> AgentClass:
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
    # Removing the call would remove the function around it, which the module still calls: the object is served as
    # it is (the kept instance replaces the call in place).
    for enclosing in (module.body[i] for i in set_model_indexes):
        if isinstance(enclosing, cst.FunctionDef):
            raise MigrationError(f"{filename} calls set_model() inside its function {enclosing.name.value}",
                                 "call it at module level")
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
    return AgentClass(
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


def serves_no_agent(module: cst.Module, scan: Scan) -> bool:
    """set_model() is handed something this file shows is no ResponsesAgent: a lambda, one of its functions,
    or an instance of one of its classes that derive from nothing imported. (An instance of an imported class may
    be one, and so may an instance of a class of the file built on an imported one: a base agent in code/.)"""
    functions = {stmt.name.value for stmt in module.body if isinstance(stmt, cst.FunctionDef)}
    classes = {stmt.name.value: stmt for stmt in module.body if isinstance(stmt, cst.ClassDef)}

    def may_be_agent(name: str, seen: frozenset[str] = frozenset()) -> bool:
        for base in (b.value for b in classes[name].bases if b.keyword is None):
            if isinstance(base, cst.Name) and base.value == "object":
                continue
            if not isinstance(base, cst.Name) or base.value not in classes:
                return True  # imported (`Base`, `lib.Base`): it may be an agent
            if base.value not in seen and may_be_agent(base.value, seen | {name}):
                return True
        return False

    for call in scan.set_model_calls:
        arg = call.args[0].value if call.args else None
        if isinstance(arg, cst.Call):
            arg = arg.func
        if isinstance(arg, cst.Lambda) or (isinstance(arg, cst.Name) and (
                arg.value in functions or (arg.value in classes and not may_be_agent(arg.value)))):
            return True
    return False
