"""Async mode: the migrated agent functions become coroutines where the table in `async_api` says how.

Runs on the output of the functions strategy (module-level functions, before the handlers are registered).
The entry points (predict / predict_stream) and every function they reach that calls a paired API become
`async def` (an async generator when they yield); paired calls are rewritten (`llm.invoke` → `await
llm.ainvoke`, `for x in graph.stream(...)` → `async for x in graph.astream(...)`, `OpenAI()` → `AsyncOpenAI()`,
`time.sleep` → `await asyncio.sleep`, `asyncio.run(c)` → `await c`), and calls to converted functions are
awaited or iterated with `async for`, transitively. Inside converted functions, any call that may block and
has no pair (a known blocking call, a method of a synchronous client or of a handle a client's method returned
at set-up, a function imported from elsewhere, a local function that blocks) runs in a worker thread
(`agent_server.adapters.in_worker_thread` / `iterate_in_worker_thread`) and is reported (S2A171). A module-level
`X = asyncio.run(...)` whose value only converted functions use becomes a once-only initialiser awaited on first
use, safe under concurrent requests.
Finally every `async def` in the output is checked for blocking calls left in it (S2A179 is a bug in this
codemod, not in the agent).

Conservative by design, so not handled (the function stays synchronous and is called in a worker thread):
functions used other than by direct calls (passed as tools or callbacks), functions with decorators other than
`mlflow.trace`, generators that return a value (an async generator cannot), functions that enter, iterate or
call methods of what a worker-thread call returned (it may be lazy: a session, a cursor, a paged result),
functions whose nested functions or lambdas may block, functions that would await inside a generator expression
handed to a synchronous consumer (`"".join(fetch(u) for u in urls)`), an async-iterable result used other than
by a `for`/comprehension/`yield from`/plain assignment/`with` of its own/`return` (a value that may be a stream
handed to another function, kept in a list, chosen by a conditional expression, or entered beside a synchronous
context manager), and clients whose object is used outside converted code (the construction stays synchronous).
A value a module function returns (`llm = make_llm()`, its `return ChatDatabricks(...)`) is that call's object.
A function handed a client, a chat model or an unknown library's object as an argument stays synchronous and
runs in a worker thread. Other method calls on values whose type cannot be inferred (parameters, dict items) are
called directly: the table cannot know them, so a blocking call on such a value is not detected; except
`invoke`, `batch` and `run`, which on such a value are most likely a LangChain tool or retriever doing I/O, and
a function taken from a container (`TOOL_FUNCS[name](...)`, a loop over a tool table) or handed in as an argument,
most likely a tool: those run in a worker thread. So do the methods of the module's own classes called on an
instance (`retriever.search(q)`, or the instance itself called: its `__call__`) unless the method calls nothing but
builtins and library callables known not to block; a function handed such an instance, or one holding such an
instance or a client in an attribute, stays synchronous. An attribute of such an instance (`services.llm`,
`services.db`) is classified by the call that built it, wherever the class's methods set it (`__init__`, a
`connect()`) and however often, when every value but `None` is built by one callable or all are of one kind (two
chat models); set to different objects, one of which may block, its method calls run in a worker thread. An item
of a global list, tuple, set or dict literal of one such class's instances (`APIS["crm"]`, `APIS.get(k)`, a loop
over `APIS` or `APIS.values()`) is typed as that class. On any other value whose type cannot be inferred, a
method only the module's classes define and that may block runs in a worker thread, unless builtin values have a
method of that name (`get`, `index`). An attribute set to an `__init__` parameter (`self.db = db`) holds what
the module's constructions of the class pass for it (`Services(db=sqlite3.connect(...))`), or its default. Not
handled: attributes set from outside the class, parameters no construction in the module shows, and instances
reached through a parameter or a container built otherwise: their other method calls are direct, except an OpenAI
client's own method paths (`chat.completions.create`, `responses.create`, `embeddings.create`), which on any value the
table cannot type run in a worker thread. A global's kind is read from every assignment the module makes to it,
under `if`/`try` too, annotated or chosen by `a if c else b` / `a or b` (`None` aside); only a plain
`X = Library(...)` statement can be swapped for its async twin. A function that would await inside a `with` over
a thread lock (or anywhere, when it calls a lock's `acquire()`) stays synchronous: on the event loop, the next
request would wait for the lock on the loop's own thread while the holder waits for the loop. A lock is what
`threading` or `multiprocessing` builds, or anything named like one (`self._lock`). So does a function with a
`with` over an instance of the module's own class whose `__enter__` or `__exit__` may block. An agent that keeps
per-thread state (`threading.local()`, `threading.get_ident()`), in its file or in a module of its own (code/), converts
nothing: each request keeps a thread of its own, as in Model Serving, where on the event loop all would share the
loop's. Only per-thread state of an installed package the agent calls (one that keeps its context in a
`threading.local`) is not seen.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import libcst as cst
from libcst.metadata import (GlobalScope, MetadataWrapper, PositionProvider, QualifiedNameProvider,
                              QualifiedNameSource, ScopeProvider)

from serving2apps.codemod import async_api as api
from serving2apps.codemod.findings import Finding
from serving2apps.codemod.import_changes import ImportChanges
from serving2apps.codemod.name_uses import NameUses, name_uses
from serving2apps.codemod.node_search import find_all, walk

CODES = ("S2A170", "S2A171", "S2A172", "S2A173", "S2A174", "S2A175", "S2A179")

ADAPTERS = "agent_server.adapters"


@dataclass
class AsyncResult:
    module: cst.Module
    async_functions: set[str]  # names of the functions that became coroutines / async generators
    findings: list[Finding] = field(default_factory=list)


# ---------------------------------------------------------------- what each call is

@dataclass(frozen=True)
class _Site:
    """One call inside a function, as the async conversion sees it."""

    kind: str  # "pair", "function_pair", "run_coroutine", "local", "blocking", "dropped"
    detail: str = ""  # what to report (the blocking call) or the async name
    style: str = api.AWAIT
    receiver_global: str | None = None  # for pairs: the module global that is the receiver, if any
    local_function: str | None = None
    iterable_result: bool = False
    withheld: str = ""  # for a call with an async form kept synchronous: why (S2A172 names it)


def _attribute_path(expr) -> tuple[cst.BaseExpression, list[str]]:
    """x.a.b → (x, ["a", "b"])."""
    path: list[str] = []
    while isinstance(expr, cst.Attribute):
        path.insert(0, expr.attr.value)
        expr = expr.value
    return expr, path


def _chain_receiver(expr: cst.BaseExpression, depth: int) -> cst.BaseExpression:
    for _ in range(depth):
        expr = cst.ensure_type(expr, cst.Attribute).value
    return expr


def _receivers(func: cst.BaseExpression):
    """Each way to read x.a.b(...) as receiver.method, outermost receiver first: (x, "a.b"), (x.a, "b")."""
    path = _attribute_path(func)[1]
    for split in range(len(path)):
        yield _chain_receiver(func, len(path) - split), ".".join(path[split:])


def _qualified_names(qualified: Mapping, node: cst.CSTNode) -> Collection:
    value = qualified.get(node, ())
    return value() if callable(value) else value  # the provider computes names lazily


def _imported(qualified: Mapping, node: cst.CSTNode) -> set[str]:
    """The qualified names of what `node` names that come from an import (or are builtins)."""
    return {q.name for q in _qualified_names(qualified, node)
            if q.source in (QualifiedNameSource.IMPORT, QualifiedNameSource.BUILTIN)}


class _Module:
    """What the module defines: functions, the kinds of its globals, and qualified names of expressions."""

    def __init__(self, module: cst.Module, parsed: bool = False):
        # libcst copies the tree so that no node appears twice in it, which a transformer's output may do; a tree
        # fresh from the parser (`parsed`) never does.
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=parsed)
        self.module = self.wrapper.module
        self.qualified = self.wrapper.resolve(QualifiedNameProvider)
        self.functions: dict[str, cst.FunctionDef] = {
            s.name.value: s for s in self.module.body if isinstance(s, cst.FunctionDef)
        }
        self.class_defs = {s.name.value: s for s in self.module.body if isinstance(s, cst.ClassDef)}
        self.classes = set(self.class_defs)
        self.global_instances: dict[str, str] = {}  # global → the module's own class it is an instance of
        self.global_containers: dict[str, str] = {}  # global list/tuple/set/dict literal → its items' own class
        self._methods_may_block: dict[tuple[str, str], bool] = {}
        self._attributes_set: dict[tuple[str, str], cst.Call | None] = {}
        self.global_kinds: dict[str, str] = {}
        self.global_producers: dict[str, str] = {}  # global → qualified name of the class that built it
        self.global_constructions: dict[str, cst.Call] = {}  # global → the call that built it
        self.global_assignments: dict[str, int] = {}
        self._resolving: set[str] = set()  # factory functions being read, against recursion
        self._returns: dict[str, tuple[cst.BaseExpression, ...]] = {}  # factory function → what it returns
        self._factory_kinds: dict[str, dict[str, str | None]] = {}  # factory function → its locals' kinds
        self._scans: dict[str, _FunctionScan] = {}
        self.none_globals: set[str] = set()  # globals only ever set to None (`agent_client = None`)
        found = _ModuleAssignments()
        walk(self.module, found)
        for target, value, plain in found.assignments:
            self.global_assignments[target] = self.global_assignments.get(target, 0) + 1
            if _is_none(value):
                if self.global_assignments[target] == 1:
                    self.none_globals.add(target)
                continue  # `client = None` beside `client = OpenAI()` (in a try, or reset): still a client's name
            self.none_globals.discard(target)
            kind = self.kind_of(value, {})
            if kind:
                self.global_kinds[target] = kind
            else:
                self.global_kinds.pop(target, None)
            if cls := self.built_class(value):
                self.global_instances[target] = cls
            else:
                self.global_instances.pop(target, None)
            if (cls := self._items_class(value)) and self.global_assignments[target] == 1:
                self.global_containers[target] = cls
            else:
                self.global_containers.pop(target, None)
            producers = {self._producer(v.func) if isinstance(v, cst.Call) else None for v in self.alternatives(value)}
            if len(producers) == 1 and (producer := producers.pop()):
                self.global_producers[target] = producer
                # Built here, by a plain `X = Library(...)` statement: the construction can change.
                if plain and isinstance(value, cst.Call) and self.imported(value.func):
                    self.global_constructions[target] = value
                else:
                    self.global_constructions.pop(target, None)
            else:
                self.global_producers.pop(target, None)
                self.global_constructions.pop(target, None)

    def global_bindings(self, name: str) -> set[str]:
        """The qualified names the module binds `name` to in its own scope (`typing.AsyncGenerator` for an import,
        the name itself for a class or assignment of its own); empty when it binds nothing by that name."""
        scope = self.wrapper.resolve(ScopeProvider)[self.module]
        assert isinstance(scope, GlobalScope)  # a module's own scope
        return {q.name for q in scope.get_qualified_names_for(name)}

    def _producer(self, func: cst.BaseExpression) -> str | None:
        """The library callable that `func(...)` at module level comes from: an imported one, what a factory
        function of the module returns, or a method of a global it built (`index = vsc.get_index(...)` comes from
        vsc's class, as a handle on the same service)."""
        if producers := sorted(self.imported(func)):
            return producers[0]
        if (made := self.factory_value(func)) is not None:
            return self.value_producer(made)
        base = _attribute_path(func)[0]
        if isinstance(func, cst.Attribute) and isinstance(base, cst.Name) and self.global_kinds.get(base.value) is None:
            return self.global_producers.get(base.value)
        return None

    def value_producer(self, value: cst.BaseExpression) -> str | None:
        if isinstance(value, cst.Name):
            return self.global_producers.get(value.value)
        return self._producer(value.func) if isinstance(value, cst.Call) else None

    def factory_value(self, func: cst.BaseExpression) -> cst.BaseExpression | None:
        """When `func` names a function of this module that returns a library call or a global (`def make_llm():
        return ChatDatabricks(...)`, a local assigned once from one, `return CLIENT`), that value: what the
        function's callers get is its object. None when the returns disagree or are anything else."""
        if not isinstance(func, cst.Name) or func.value not in self.functions or func.value in self._resolving:
            return None
        if func.value not in self._returns:
            self._returns[func.value] = _returned_values(self.functions[func.value], self.scan(func.value))
        values = self._returns[func.value]
        if not values:
            return None
        self._resolving.add(func.value)
        try:
            local_kinds = self.factory_kinds(func.value)
            made = {(self.kind_of(value, local_kinds), self.value_producer(value)) for value in values}
        finally:
            self._resolving.discard(func.value)
        return values[0] if len(made) == 1 and made != {(None, None)} else None

    def scan(self, function: str) -> _FunctionScan:
        """The module function's body, read once (for the factories' values and for the conversion plan)."""
        if function not in self._scans:
            self._scans[function] = _FunctionScan()
            walk(self.functions[function].body, self._scans[function])
        return self._scans[function]

    def factory_kinds(self, function: str) -> dict[str, str | None]:
        """The kinds of a factory function's locals, in the order it assigns them (`workflow = StateGraph(...)`
        before `return workflow.compile()`); a local assigned twice has none."""
        if function not in self._factory_kinds:
            local_kinds: dict[str, str | None] = {}
            for name, value in self.scan(function).assigns:
                local_kinds[name] = None if name in local_kinds else self.kind_of(value, local_kinds)
            self._factory_kinds[function] = local_kinds
        return self._factory_kinds[function]

    @cached_property
    def calls(self) -> list[cst.Call]:
        """Every call in the module, in source order."""
        return find_all(self.module, cst.Call)

    def _qualified(self, node):
        return _qualified_names(self.qualified, node)

    def names(self, node) -> set[str]:
        return {q.name for q in self._qualified(node)}

    def imported(self, node) -> set[str]:
        return _imported(self.qualified, node)

    def kind_of(self, expr, local_kinds: dict[str, str | None]) -> str | None:
        if isinstance(expr, cst.Name):
            if expr.value in local_kinds:
                return local_kinds[expr.value]
            return self.global_kinds.get(expr.value)
        if isinstance(expr, cst.Call):
            kind = self._call_kind(expr, local_kinds)
            if kind == api.RUNNABLE and not self._persistence_runs_async(expr, local_kinds):
                return api.SYNC_GRAPH
            return kind
        if isinstance(expr, (cst.IfExp, cst.BooleanOperation)):
            kinds = {self.kind_of(value, local_kinds) for value in self.alternatives(expr)}
            return kinds.pop() if len(kinds) == 1 else None
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
            if api.RUNNABLE in (self.kind_of(expr.left, local_kinds), self.kind_of(expr.right, local_kinds)):
                return api.RUNNABLE
        if isinstance(expr, cst.Attribute) and (value := self.instance_attribute(expr, local_kinds)) is not None:
            return self.kind_of(value, {})
        return None

    @cached_property
    def entered_twins(self) -> set[str]:
        """Names bound only by `with X(...) as name`, X a class whose async twin the `with` becomes (`async with
        AsyncCheckpointSaver(...) as name` once its function converts); never by an assignment."""
        entered = {item.asname.name.value for item in find_all(self.module, cst.WithItem)
                   if item.asname and isinstance(item.asname.name, cst.Name) and isinstance(item.item, cst.Call)
                   and self.imported(item.item.func) & api.CONTEXT_MANAGER_TWINS}
        assigned = {name.value for target in find_all(self.module, cst.AssignTarget)
                    for name in find_all(target.target, cst.Name)}
        return entered - assigned

    def _call_kind(self, call: cst.Call, local_kinds: dict[str, str | None]) -> str | None:
        if (made := self.factory_value(call.func)) is not None:
            return self.kind_of(made, self.factory_kinds(cst.ensure_type(call.func, cst.Name).value))
        for name in self.imported(call.func):
            if name in api.PRODUCERS:
                return api.PRODUCERS[name]
        for receiver, method in _receivers(call.func):
            kind = self.kind_of(receiver, local_kinds)
            if kind and (kind, method) in api.CHAINS:
                return api.CHAINS[(kind, method)]
        return None

    def _persistence_runs_async(self, call: cst.Call, local_kinds: dict[str, str | None]) -> bool:
        """Whether every checkpointer/store the graph is given works from ainvoke/astream: none, one that is async
        or in memory, or a local the function enters as a twinned context manager (`with CheckpointSaver(...) as
        cp`, which becomes `async with AsyncCheckpointSaver(...)` with the function). A parameter, a global
        CheckpointSaver (never swapped: handing it to compile() is a use that stays synchronous) or a saver the
        table does not know does not."""
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value not in api.PERSISTENCE_KEYWORDS:
                continue
            value = arg.value
            if isinstance(value, cst.Name) and value.value in ("None", "True", "False"):
                continue
            if isinstance(value, cst.Name) and local_kinds.get(value.value) in (api.CHECKPOINTER, api.STORE) \
                    and value.value in self.entered_twins:
                continue
            if self.kind_of(value, local_kinds) != api.NATIVE_ASYNC:
                return False
        return True

    def instance_attribute(self, expr: cst.Attribute, local_kinds) -> cst.Call | None:
        """`services.llm`, the global `services` an instance of the module's class whose methods set `self.llm`
        to a call's value (`ChatDatabricks(...)`), wherever they set it (`__init__`, a `connect()` it calls) and
        however often, so long as every value but `None` is built by the same callable: the first such call.
        None otherwise."""
        held = self._held(expr, local_kinds)
        if held is None:
            return None
        if held not in self._attributes_set:
            self._attributes_set[held] = self._built_alike(*held)
        return self._attributes_set[held]

    def _held(self, expr: cst.BaseExpression, local_kinds) -> tuple[str, str] | None:
        """(class, attribute) for `services.db`, the global `services` an instance of the module's class."""
        if not isinstance(expr, cst.Attribute) or not isinstance(expr.value, cst.Name) \
                or expr.value.value in local_kinds:
            return None
        cls = self.global_instances.get(expr.value.value)
        return None if cls is None else (cls, expr.attr.value)

    def _built_alike(self, cls: str, attribute: str) -> cst.Call | None:
        values = self._attribute_values(cls, attribute)
        # Don't touch an attribute set to different things (`self.db = sqlite3.connect(...)` here, `self.db = db`
        # there): which one a call meets is decided at run time. Two chat models are alike: their methods pair.
        if not values or not all(isinstance(v, cst.Call) for v in values):
            return None
        callables = {cst.Module([]).code_for_node(cst.ensure_type(v, cst.Call).func) for v in values}
        kinds = {self.kind_of(v, {}) for v in values}
        return cst.ensure_type(values[0], cst.Call) if len(callables) == 1 or (len(kinds) == 1 and None not in kinds) \
            else None

    def _attribute_values(self, cls: str, attribute: str) -> list[cst.BaseExpression]:
        """What the class's methods set `self.<attribute>` to, `None` aside; for an `__init__` parameter, what the
        module's constructions of the class pass for it (see _passed_for)."""
        return [passed for method, target, value in self._attribute_assignments(cls)
                if target.attr.value == attribute and isinstance(target.value, cst.Name) and method.params.params
                and target.value.value == method.params.params[0].name.value
                for passed in self._passed_for(cls, method, value) if not _is_none(passed)]

    def _passed_for(self, cls: str, method: cst.FunctionDef, value: cst.BaseExpression) -> list[cst.BaseExpression]:
        """`self.db = db` in the class's own `__init__`: the argument each `Services(...)` call of the module
        passes for `db` (its default where one passes none; a global built by a plain `X = Library(...)` stands
        for that call). `value` itself when it is no parameter or some construction cannot be read (a `*args`,
        none in the module, a subclass that may pass anything)."""
        params = [*method.params.params[1:], *method.params.kwonly_params]
        param = next((p for p in params if isinstance(value, cst.Name) and p.name.value == value.value), None)
        if param is None or method.name.value != "__init__" or method not in self.class_defs[cls].body.body:
            return [value]
        if any(isinstance(b.value, cst.Name) and b.value.value == cls
               for c in self.class_defs.values() for b in c.bases):
            return [value]
        calls = [c for c in self.calls if isinstance(c.func, cst.Name) and c.func.value == cls]
        position = method.params.params[1:].index(param) if param in method.params.params else None
        passed: list[cst.BaseExpression] = []
        for call in calls:
            if any(a.star for a in call.args):
                return [value]
            positional = [a.value for a in call.args if a.keyword is None]
            given = next((a.value for a in call.args if a.keyword and a.keyword.value == param.name.value), None)
            if given is None and position is not None and position < len(positional):
                given = positional[position]
            given = given if given is not None else param.default
            if given is None:
                return [value]
            if isinstance(given, cst.Name) and given.value in self.global_constructions:
                given = self.global_constructions[given.value]
            passed.append(given)
        return passed or [value]

    def attribute_may_hold_what_blocks(self, expr: cst.BaseExpression, local_kinds) -> bool:
        """`services.store.search`, where the module's class sets `self.store` to different things, one of them
        built by a call that may block (`FAISS.load_local(...)` in one method, `Chroma(...)` in another)."""
        for receiver, _ in _receivers(expr):
            if (held := self._held(receiver, local_kinds)) is not None:
                return any(isinstance(v, cst.Call) and self._holds_what_may_block(v, frozenset())
                           for v in self._attribute_values(*held))
        return False

    def _attribute_assignments(self, cls: str) -> list[tuple[cst.FunctionDef, cst.Attribute, cst.BaseExpression]]:
        """Each `x.attr = value` in the methods of the module's class and of its module bases: (method, target,
        value)."""
        return [(method, target.target, assign.value) for method in self._all_methods(cls, set())
                for assign in find_all(method.body, cst.Assign) for target in assign.targets
                if isinstance(target.target, cst.Attribute)]

    def _all_methods(self, cls: str, seen: set[str]) -> list[cst.FunctionDef]:
        """The methods of the module's class and of its bases that are classes of the module too."""
        seen.add(cls)
        node = self.class_defs[cls]
        methods = [f for f in node.body.body if isinstance(f, cst.FunctionDef)]
        for base in node.bases:
            if isinstance(base.value, cst.Name) and base.value.value in self.class_defs \
                    and base.value.value not in seen:
                methods += self._all_methods(base.value.value, seen)
        return methods

    def producer_of(self, expr: cst.BaseExpression, local_kinds) -> str | None:
        """The library callable that built the object a global or an attribute path holds."""
        if isinstance(expr, cst.Attribute):
            return self.attribute_producer(expr, local_kinds)
        if isinstance(expr, cst.Name) and expr.value not in local_kinds:
            return self.global_producers.get(expr.value)
        return None

    def attribute_producer(self, expr: cst.BaseExpression, local_kinds) -> str | None:
        """The library callable that built an object reached through an instance of the module's class
        (`services.db.execute` → `sqlite3.connect`)."""
        for receiver, _ in _receivers(expr):
            if isinstance(receiver, cst.Attribute) and (value := self.instance_attribute(receiver, local_kinds)):
                return self._producer(value.func)
        return None

    def alternatives(self, expr: cst.BaseExpression) -> list[cst.BaseExpression]:
        """The values `a if c else b` and `a or b` may be, `None` aside (a global only ever set to None too):
        `OpenAI() if key else None`, `given_client or OpenAI()` are clients."""
        return [v for v in _alternatives(expr) if not (isinstance(v, cst.Name) and v.value in self.none_globals)]

    def _items_class(self, value: cst.BaseExpression) -> str | None:
        """The module's own class every item of a list, tuple, set or dict literal is built by (a dict's values)."""
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            items = [e.value for e in value.elements if isinstance(e, cst.Element)]
            whole = len(items) == len(value.elements)
        elif isinstance(value, cst.Dict):
            items = [e.value for e in value.elements if isinstance(e, cst.DictElement)]
            whole = len(items) == len(value.elements)
        else:
            return None
        classes = {self.built_class(item) for item in items}
        return classes.pop() if whole and len(classes) == 1 and None not in classes else None

    def container_class(self, expr: cst.BaseExpression, fn: _Function) -> str | None:
        """The own class of what `expr` takes from a global container of such instances: `RETRIEVERS[k]`,
        `RETRIEVERS.get(k)`, or a loop variable over the container or its `.values()`."""
        def container(node: cst.BaseExpression) -> str | None:
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                    and node.func.attr.value == "values" and not node.args:
                node = node.func.value
            if isinstance(node, cst.Name) and node.value not in fn.local_kinds:
                return self.global_containers.get(node.value)
            return None

        if isinstance(expr, cst.Subscript):
            return container(expr.value)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) \
                and expr.func.attr.value in ("get", "pop", "setdefault"):
            return container(expr.func.value)
        if isinstance(expr, cst.Name) and expr.value in fn.scan.loop_iterables \
                and expr.value not in fn.scan.locals:
            classes = {container(iterable) for iterable in fn.scan.loop_iterables[expr.value]}
            return classes.pop() if len(classes) == 1 else None
        return None

    def built_class(self, value: cst.BaseExpression) -> str | None:
        """The module's own class `value` builds (`Retriever(...)`), if it is one."""
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in self.class_defs:
            return value.func.value
        return None

    def own_class(self, expr: cst.BaseExpression, fn: _Function) -> str | None:
        """The module's own class `expr` is an instance of (a global or a local built by `C(...)`, `C(...)` itself,
        or an item of a global container of such instances), or that class when `expr` names it (a static or class
        method's call)."""
        if (cls := self.container_class(expr, fn)) is not None:
            return cls
        if isinstance(expr, cst.Name) and expr.value in fn.local_kinds:
            value = fn.scan.locals.get(expr.value)
            return self.own_class(value, fn) if isinstance(value, cst.Call) else None
        if isinstance(expr, cst.Name):
            return self.global_instances.get(expr.value) or (expr.value if expr.value in self.class_defs else None)
        if (cls := self.built_class(expr)) and cls not in fn.local_kinds:
            return cls
        if isinstance(expr, cst.Attribute) and (value := self.instance_attribute(expr, fn.local_kinds)) is not None:
            return self.own_class(value, fn)
        return None

    def method_may_block(self, cls: str, method: str) -> bool:
        """Whether a synchronous method of the module's class may block: it makes a call other than to a builtin
        or a library callable known not to block, or it is not defined in the module and comes from a library base
        class other than plain data classes (a pydantic model's `model_dump` does not block). An `async def` method
        is not: its caller gets a coroutine either way."""
        if (cls, method) not in self._methods_may_block:
            found = next((f for f in self._all_methods(cls, set()) if f.name.value == method), None)
            if found is None:
                self._methods_may_block[(cls, method)] = not self._library_bases(cls, set()) <= _DATA_BASES
            else:
                self._methods_may_block[(cls, method)] = found.asynchronous is None and any(
                    self._call_may_block(call) for call in find_all(found.body, cst.Call))
        return self._methods_may_block[(cls, method)]

    def context_manager_may_block(self, expr: cst.BaseExpression) -> bool:
        """`get_connection()`, a generator function of the module decorated with contextlib.contextmanager whose
        code (what the `with` statement runs on entering and leaving) may block."""
        if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Name) \
                or (function := self.functions.get(expr.func.value)) is None:
            return False
        return function.asynchronous is None \
            and any("contextlib.contextmanager" in self.imported(d.decorator) for d in function.decorators) \
            and any(self._call_may_block(call) for call in find_all(function.body, cst.Call))

    def class_with_blocking_method(self, method: str) -> str | None:
        """A class of the module's own with a method of that name that may block (`search`), for a call on a value
        whose type cannot be inferred (an item of a list of retrievers). Not the method names of builtin values
        (`get`, `append`, `join`): a dict's `get` is far likelier there than the module's own."""
        if method.startswith("__") or method in _BUILTIN_METHOD_NAMES:
            return None
        return next((cls for cls, node in self.class_defs.items()
                     if any(isinstance(f, cst.FunctionDef) and f.name.value == method for f in node.body.body)
                     and self.method_may_block(cls, method)), None)

    def _library_bases(self, cls: str, seen: set[str]) -> set[str]:
        """The qualified names of the library classes the module's class derives from, through its module bases
        (a base the table cannot name counts as an unknown library's)."""
        seen.add(cls)
        found: set[str] = set()
        for base in self.class_defs[cls].bases:
            if isinstance(base.value, cst.Name) and base.value.value in self.class_defs:
                if base.value.value not in seen:
                    found |= self._library_bases(base.value.value, seen)
            else:
                found |= self.imported(base.value) or {"?"}
        return found

    def instance_may_block(self, cls: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether an instance of the module's class may block: some method of it may (inherited ones included;
        a base class from a library other than plain data classes counts as one that may), or it holds, in an
        attribute, a client, a chat model, an unknown library's object or such an instance (`svc.retriever`)."""
        if cls in seen:
            return False
        node = self.class_defs[cls]
        if any(self.method_may_block(cls, f.name.value) for f in node.body.body if isinstance(f, cst.FunctionDef)):
            return True
        if not self._library_bases(cls, set()) <= _DATA_BASES:
            return True
        for base in node.bases:
            if isinstance(base.value, cst.Name) and base.value.value in self.class_defs \
                    and self.instance_may_block(base.value.value, seen | {cls}):
                return True
        return any(self._holds_what_may_block(value, seen | {cls}) for _, _, value in self._attribute_assignments(cls))

    def _holds_what_may_block(self, value: cst.BaseExpression, seen: frozenset[str]) -> bool:
        kind = self.kind_of(value, {})
        if kind is not None:
            return kind in api.BLOCKING_KINDS or kind == api.RUNNABLE
        if cls := self.built_class(value):
            return self.instance_may_block(cls, seen)
        producer = self._producer(value.func) if isinstance(value, cst.Call) else None
        return producer is not None and not _known_non_blocking(producer)

    def _call_may_block(self, call: cst.Call) -> bool:
        if isinstance(call.func, cst.Attribute) and isinstance(call.func.value, (cst.BaseString, cst.FormattedString)):
            return False  # "".join(...), "{}".format(...)
        names = self.imported(call.func)
        return not names or any(n in api.BLOCKING_CALLS or not _known_non_blocking(n) for n in names)

    def line(self, node) -> int | None:
        # Resolved on first use: a module with nothing to report never needs positions.
        position = self.wrapper.resolve(PositionProvider).get(node)
        return position.start.line if position else None


def _returned_values(fn: cst.FunctionDef, scan: _FunctionScan) -> tuple[cst.BaseExpression, ...]:
    """What each `return` of the function gives back, read through a local assigned once: calls and globals;
    empty if any return is something else (a parameter, a local assigned twice, an expression) or there is none."""
    values: dict[str, list[cst.BaseExpression]] = {}
    for name, value in scan.assigns:
        values.setdefault(name, []).append(value)
    parameters = _parameters(fn)
    returned = []
    for statement in scan.returns:
        given = statement.value
        if isinstance(given, cst.Name) and given.value in values:
            given = values[given.value][0] if len(values[given.value]) == 1 else None
        if isinstance(given, cst.Name) and given.value in parameters or not isinstance(given, (cst.Call, cst.Name)):
            return ()
        returned.append(given)
    return tuple(returned)


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _alternatives(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The values `a if c else b` and `a or b` may be, the `None` literal aside."""
    if isinstance(expr, cst.IfExp):
        values = [*_alternatives(expr.body), *_alternatives(expr.orelse)]
    elif isinstance(expr, cst.BooleanOperation):
        values = [*_alternatives(expr.left), *_alternatives(expr.right)]
    else:
        values = [expr]
    return [v for v in values if not _is_none(v)]


class _ModuleAssignments(cst.CSTVisitor):
    """The module's assignments to global names, in order, with whether each is a plain `X = value` statement of the
    module's own body (one under `if`/`try`/`with`, or annotated, is not: its construction is left as it is)."""

    def __init__(self):
        super().__init__()
        self.assignments: list[tuple[str, cst.BaseExpression, bool]] = []
        self._depth = 0  # compound statements around the one visited

    def visit_FunctionDef(self, node):
        return False

    def visit_ClassDef(self, node):
        return False

    def visit_Lambda(self, node):
        return False

    def on_visit(self, node):
        if isinstance(node, cst.BaseCompoundStatement):
            self._depth += 1
        return super().on_visit(node)

    def on_leave(self, original_node):
        if isinstance(original_node, cst.BaseCompoundStatement):
            self._depth -= 1
        super().on_leave(original_node)

    def visit_Assign(self, node):
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.assignments.append((node.targets[0].target.value, node.value, self._depth == 0))

    def visit_AnnAssign(self, node):
        if node.value is not None and isinstance(node.target, cst.Name):
            self.assignments.append((node.target.value, node.value, False))


def _assignments(stmt) -> list[tuple[str, cst.BaseExpression]]:
    if isinstance(stmt, cst.SimpleStatementLine):
        return [(s.targets[0].target.value, s.value) for s in stmt.body
                if isinstance(s, cst.Assign) and len(s.targets) == 1 and isinstance(s.targets[0].target, cst.Name)]
    return []


# Written as the agent calls them (`asyncio.run(x)`, `run(x)` imported from asyncio): what they are handed is a
# coroutine.
_COROUTINE_TAKERS = {("asyncio", "run"), ("run",), ("asyncio", "gather"), ("gather",)}


class _FunctionScan(NameUses):
    """The calls of one function body and the positions they sit in; the calls inside its nested functions,
    lambdas and classes apart (they run whenever those are called)."""

    def __init__(self):
        super().__init__()
        self.calls: list[cst.Call] = []
        self.iterated: set[int] = set()  # ids of expressions a for/comprehension iterates
        self.assigned: dict[int, str] = {}  # id(value) → name, for `name = value`
        self.yielded_from: set[int] = set()  # ids of `yield from X` operands (as statements)
        self.iterated_names: set[str] = set()
        self.yields = False
        self.with_items: list[cst.WithItem] = []
        self.withs: list[cst.With] = []
        self.entered_in: dict[int, cst.With] = {}  # id(item expression) → the `with` statement it is entered in
        self.assigns: list[tuple[str, cst.BaseExpression]] = []  # `name = value`, in order
        self.returns: list[cst.Return] = []  # its own `return` statements
        self.dereferenced: set[int] = set()  # ids of expressions an attribute or item is read from
        self.dereferenced_names: Counter[str] = Counter()  # names an attribute or item is read from, per use
        self.locals: dict[str, cst.BaseExpression | None] = {}
        self.loop_targets: set[str] = set()  # names a for loop or comprehension binds
        self.loop_iterables: dict[str, list[cst.BaseExpression]] = {}  # plain loop target → what it iterates
        # Iterated inside a generator expression: async there makes an async generator expression, which only
        # a consumer that takes one may receive. id(iter) or name → the generator expression.
        self.generator_iters: dict[int, cst.GeneratorExp] = {}
        self.generator_names: dict[str, cst.GeneratorExp] = {}
        self.consumers: dict[int, cst.Call] = {}  # id(first positional argument) → the call it is passed to
        self.receivers: set[str] = set()  # names whose methods are called: `x` of `x.run(...)`
        self.called_on: set[int] = set()  # ids of expressions whose methods are called: `f()` of `f().run(...)`
        self.coroutine_args: set[int] = set()  # ids of what is handed to asyncio.run(...) and its kin: coroutines
        self.holders: dict[int, str] = {}  # id(call) → the local holding its result (alone or in a collection)
        self.nested_calls: list[cst.Call] = []
        self.generator_calls: dict[int, cst.GeneratorExp] = {}  # id(call) → the generator expression that makes it
        self.awaited: set[int] = set()  # ids of calls awaited where they are made (async already)

    def _nested(self, node) -> bool:
        self.nested_calls += find_all(node, cst.Call)
        return False

    def visit_FunctionDef(self, node):
        return self._nested(node)

    def visit_Lambda(self, node):
        return self._nested(node)

    def visit_ClassDef(self, node):
        return self._nested(node)

    def visit_Attribute(self, node):
        self._dereferenced(node.value)
        return super().visit_Attribute(node)

    def visit_Subscript(self, node):
        self._dereferenced(node.value)

    def _dereferenced(self, value):
        self.dereferenced.add(id(value))
        if isinstance(value, cst.Name):
            self.dereferenced_names[value.value] += 1

    def visit_Call(self, node):
        self.calls.append(node)
        base, path = _attribute_path(node.func)
        if path[-1:] == ["run_until_complete"] \
                or isinstance(base, cst.Name) and (base.value, *path) in _COROUTINE_TAKERS:
            self.coroutine_args.update(id(arg.value) for arg in node.args)
        if isinstance(node.func, cst.Attribute):
            self.called_on.add(id(node.func.value))
            if isinstance(node.func.value, cst.Name):
                self.receivers.add(node.func.value.value)
        if node.args and node.args[0].keyword is None and not node.args[0].star:
            self.consumers[id(node.args[0].value)] = node

    def visit_GeneratorExp(self, node):
        # Calls the generator makes as it runs (all but its first iterable, evaluated where it is written).
        for part in (node.elt, *node.for_in.ifs, node.for_in.inner_for_in):
            for call in find_all(part, cst.Call) if part is not None else ():
                self.generator_calls.setdefault(id(call), node)
        comp = node.for_in
        while comp is not None:
            self.generator_iters[id(comp.iter)] = node
            if isinstance(comp.iter, cst.Name):
                self.generator_names[comp.iter.value] = node
            comp = comp.inner_for_in

    def visit_For(self, node):
        self._loop(node.target, node.iter)

    def visit_CompFor(self, node):
        self._loop(node.target, node.iter)

    def _loop(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        self.iterated.add(id(iterable))
        if isinstance(iterable, cst.Name):
            self.iterated_names.add(iterable.value)
        self.loop_targets.update(name_uses(target))
        if isinstance(target, cst.Name):
            self.loop_iterables.setdefault(target.value, []).append(iterable)

    def visit_Assign(self, node):
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            self.assigns.append((name, node.value))
            self.assigned[id(node.value)] = name
            self.locals[name] = node.value if name not in self.locals else None
            for held in _held(node.value):
                self.holders[id(held)] = name

    def visit_Await(self, node):
        self.awaited.add(id(node.expression))

    def visit_Expr(self, node):
        if isinstance(node.value, cst.Yield) and isinstance(node.value.value, cst.From):
            self.yielded_from.add(id(node.value.value.item))

    def visit_Yield(self, node):
        self.yields = True

    def visit_With(self, node):
        self.withs.append(node)
        for item in node.items:
            self.entered_in[id(item.item)] = node
            if item.asname and isinstance(item.asname.name, cst.Name):
                self.assigned[id(item.item)] = item.asname.name.value  # `with x as name`: name is bound to x's value

    def visit_WithItem(self, node):
        self.with_items.append(node)
        if node.asname and isinstance(node.asname.name, cst.Name):
            self.locals[node.asname.name.value] = None

    def visit_Return(self, node):
        self.returns.append(node)

    @cached_property
    def name_uses(self) -> Counter[str]:
        """Uses of each variable name, read once the body is visited (attribute and keyword names are not
        variables: `stream=True` is no use of a local `stream`)."""
        return Counter(self.names)


def _held(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    """What `name = value` keeps: the value, the elements of a list/tuple/set, a comprehension's element."""
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        return [element.value for element in value.elements]
    if isinstance(value, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return [value.elt]
    return [value]


@dataclass
class _Function:
    name: str
    node: cst.FunctionDef
    scan: _FunctionScan
    local_kinds: dict[str, str | None]
    sites: dict[int, _Site] = field(default_factory=dict)  # id(call) → site
    calls_to: set[str] = field(default_factory=set)
    nested_sites: list[_Site] = field(default_factory=list)  # the sites of its nested functions and lambdas
    # Handed, at some call, an object whose methods may block (see _given_blocking_objects).
    given_blocking_object: bool = False
    # Has a `with` over an own-class instance whose __enter__/__exit__ may block (see _enters_what_blocks).
    enters_what_blocks: bool = False

    @cached_property
    def parameters(self) -> set[str]:
        return _parameters(self.node)

    @property
    def nested_code_may_block(self) -> bool:
        """A nested function or lambda calls something that may block (or a module function, which may): the
        function calls it synchronously, so it cannot run on the event loop."""
        return any(site.kind != "dropped" for site in self.nested_sites)

    @property
    def generator(self) -> bool:
        return self.scan.yields


def _parameters(fn: cst.FunctionDef) -> set[str]:
    given = [*fn.params.params, *fn.params.kwonly_params, *fn.params.posonly_params]
    given += [p for p in (fn.params.star_arg, fn.params.star_kwarg) if isinstance(p, cst.Param)]
    return {p.name.value for p in given}


def _scan_function(mod: _Module, name: str, fn: cst.FunctionDef) -> _Function:
    scan = mod.scan(name)
    local_kinds: dict[str, str | None] = {p: None for p in _parameters(fn)}
    entered: dict[str, list[cst.WithItem]] = {}
    for item in scan.with_items:
        if item.asname and isinstance(item.asname.name, cst.Name):
            entered.setdefault(item.asname.name.value, []).append(item)
    assigned = {name for name, _ in scan.assigns}
    for local, value in scan.locals.items():
        if value is None and len(entered.get(local, ())) == 1 and local not in assigned:
            # Bound by one `with ... as local` only: its kind is known where later locals use it
            # (`graph = builder.compile(checkpointer=local)`).
            local_kinds[local] = mod.kind_of(entered[local][0].item, local_kinds)
        else:
            local_kinds[local] = mod.kind_of(value, local_kinds) if value is not None else None
    for local, items in entered.items():
        local_kinds[local] = mod.kind_of(items[-1].item, local_kinds)
    function = _Function(name, fn, scan, local_kinds)
    function.enters_what_blocks = _enters_what_blocks(mod, function)
    return function


def _classify(mod: _Module, fn: _Function, call: cst.Call, swapped: set[str]) -> _Site | None:
    names = mod.imported(call.func)
    for name in names:
        if name in api.DROPPED_CALLS:
            return _Site("dropped", name)
        if name in api.RUN_COROUTINE:
            return _Site("run_coroutine", name)
        if name in api.FUNCTION_PAIRS:
            function_pair = api.FUNCTION_PAIRS[name]
            return _Site("function_pair", function_pair.name, function_pair.style)
        if name in api.BLOCKING_CALLS:
            return _Site("blocking", name)
        if name in api.BLOCKING_CONSTRUCTION:
            return _Site("blocking", f"{name} (building it asks the workspace for its host metadata)")
    if isinstance(call.func, cst.Attribute) and call.func.attr.value in api.RUN_COROUTINE_METHODS:
        return _Site("run_coroutine", call.func.attr.value)
    if isinstance(call.func, cst.Name):
        local = call.func.value
        if local in mod.functions and local not in fn.local_kinds:
            return _Site("local", local, local_function=local)
    for receiver, method in _receivers(call.func):
        kind = mod.kind_of(receiver, fn.local_kinds)
        if kind is None:
            continue
        if kind == api.NATIVE_ASYNC or (kind, method) in api.CHAINS:
            return None
        glob = receiver.value if isinstance(receiver, cst.Name) and receiver.value not in fn.local_kinds else None
        pair = api.METHOD_PAIRS.get((kind, method))
        called = cst.Module([]).code_for_node(call.func)
        if pair and kind == api.RUNNABLE and (built := _sets_up_async_per_call(mod, fn, receiver)):
            why = f"a {built} built in {fn.name}: its first async call sets up a workspace client without awaiting"
            return _Site("blocking", f"{called} ({why})", withheld=why)
        twin_needed = kind in (api.OPENAI_CLIENT, api.STORE, api.CHECKPOINTER)
        if pair and (not twin_needed or (glob is not None and glob in swapped)):
            return _Site("pair", pair.name, pair.style, receiver_global=glob, iterable_result=pair.iterable_result)
        if pair and isinstance(receiver, cst.Name) and receiver.value in fn.local_kinds:
            why = (f"{receiver.value} is built in {fn.name}, on every call: only a client built once, at start-up, "
                   "is swapped for its async class")
            return _Site("blocking", f"{called} ({why})", withheld=why)
        if kind in api.BLOCKING_KINDS:
            return _Site("blocking", f"{called} ({api.KIND_NAMES.get(kind, kind.replace('_', ' '))})",
                         receiver_global=glob, withheld=api.WITHHELD.get(kind, ""))
        return None
    path = ".".join(_attribute_path(call.func)[1])
    # A call the original awaits or hands to asyncio.run() and its kin makes a coroutine: nothing to run in a thread.
    coroutine = id(call) in fn.scan.awaited or id(call) in fn.scan.coroutine_args
    if not coroutine and any(path == method or path.endswith("." + method) for method in api.OPENAI_METHOD_PATHS):
        return _Site("blocking", f"{cst.Module([]).code_for_node(call.func)} (most likely an OpenAI client)")
    if not (isinstance(call.func, cst.Name) and call.func.value in mod.class_defs) \
            and (cls := mod.own_class(call.func, fn)) is not None and mod.method_may_block(cls, "__call__"):
        # `search(q)`, `search = SearchTool()`: an instance of the module's own class called, its __call__ run.
        return _Site("blocking", f"{cst.Module([]).code_for_node(call.func)} (an instance of the module's class {cls})")
    if isinstance(call.func, cst.Attribute) and (cls := mod.own_class(call.func.value, fn)) is not None \
            and mod.method_may_block(cls, call.func.attr.value):
        # `retriever.search(q)`, `retriever = Retriever()` a class of the module's own whose method calls a
        # client or a library (or anything this table cannot tell from a plain computation).
        return _Site("blocking", f"{cst.Module([]).code_for_node(call.func)} (a method of the module's class {cls})")
    if names and not coroutine and not any(_known_non_blocking(n) for n in names):
        # A callable imported from a module the table does not know: it may do I/O. (One the original awaits is a
        # coroutine function: calling it only makes the coroutine.)
        return _Site("blocking", sorted(names)[0])
    base = _attribute_path(call.func)[0]
    producer = None
    if isinstance(call.func, cst.Attribute) and isinstance(base, cst.Name) and base.value not in fn.local_kinds \
            and mod.global_kinds.get(base.value) is None:
        producer = mod.global_producers.get(base.value)
    elif isinstance(call.func, cst.Attribute) and isinstance(base, cst.Call) \
            and mod.kind_of(base, fn.local_kinds) is None and (made := mod.factory_value(base.func)) is not None:
        producer = mod.value_producer(made)  # get_kb().search(...), get_kb returning a global client
    if producer is None and isinstance(call.func, cst.Attribute):
        producer = mod.attribute_producer(call.func, fn.local_kinds)  # services.db.execute(...)
    if producer and not _known_non_blocking(producer):
        # A method of an object a library the table does not know built (a client, most likely, or a handle
        # one of its methods returned).
        return _Site("blocking", f"{cst.Module([]).code_for_node(call.func)} (an object from {producer})")
    if producer is None and isinstance(call.func, cst.Attribute) and not coroutine \
            and mod.attribute_may_hold_what_blocks(call.func, fn.local_kinds):
        return _Site("blocking", f"{cst.Module([]).code_for_node(call.func)} (an attribute set to different objects)")
    if producer is None and not names and isinstance(call.func, cst.Attribute) and not coroutine \
            and mod.kind_of(call.func.value, fn.local_kinds) is None \
            and (cls := mod.class_with_blocking_method(call.func.attr.value)):
        # `for r in retrievers: r.search(q)`, `RETRIEVERS[k].search(q)`: most likely an instance of that class.
        return _Site("blocking", f"{cst.Module([]).code_for_node(call.func)} (a value of unknown type; the module's "
                     f"class {cls} has a method of that name)")
    if isinstance(call.func, cst.Attribute) and call.func.attr.value in api.RUNNABLE_METHODS \
            and not coroutine and mod.kind_of(call.func.value, fn.local_kinds) is None:
        # `tools_by_name[name].invoke(args)`: most likely a LangChain tool or retriever, whose invoke does I/O.
        return _Site("blocking", f"{cst.Module([]).code_for_node(call.func)} (a value of unknown type)")
    if not coroutine and (how := _unseen_callee(call.func, fn)):
        # `TOOL_FUNCS[name](**args)`, `for name, tool in TOOLS.items(): tool(args)`, `def run(tool, args): return
        # tool(args)`: a tool function chosen at run time, most likely one that does I/O.
        return _Site("blocking", f"{cst.Module([]).code_for_node(call.func)} ({how})")
    return None


def _sets_up_async_per_call(mod: _Module, fn: _Function, receiver: cst.BaseExpression) -> str | None:
    """The producer (ChatDatabricks) whose instance the receiver holds, when the function builds it, directly or
    through its other locals (`llm = ChatDatabricks(...)`, `graph = create_react_agent(llm, tools)`), and that
    producer sets up its async client synchronously on first use: see api.ASYNC_SETUP_ON_FIRST_CALL."""
    seen: set[str] = set()
    pending: list[cst.BaseExpression] = [receiver]
    while pending:
        expression = pending.pop()
        if isinstance(expression, cst.Name):
            if expression.value in seen or (value := fn.scan.locals.get(expression.value)) is None:
                continue
            seen.add(expression.value)
            expression = value
        for call in find_all(expression, cst.Call):
            if found := sorted(mod.imported(call.func) & api.ASYNC_SETUP_ON_FIRST_CALL):
                return found[0].rsplit(".", 1)[1]
        pending.extend(find_all(expression, cst.Name))
    return None


def _async_form_withheld(plan: _Plan) -> str | None:
    """Why a call with an async form in the table stays synchronous, when one does: a graph whose persistence has
    no async methods, or a model built per call that would set up its async client on the event loop."""
    return next((site.withheld for fn in plan.functions.values() for site in fn.sites.values() if site.withheld),
                None)


def _unseen_callee(func: cst.BaseExpression, fn: _Function) -> str | None:
    """How the function called was chosen, when its code cannot be seen from here: taken from a container (an item
    `d[k]`, a local assigned once from an item or from a `get`/`pop`/`setdefault` call, a loop over a container),
    or handed in as an argument. None for anything else."""
    if isinstance(func, cst.Name) and func.value in fn.scan.locals:
        func = fn.scan.locals[func.value] or func
    if isinstance(func, cst.Subscript) or (isinstance(func, cst.Call) and isinstance(func.func, cst.Attribute)
                                           and func.func.attr.value in ("get", "pop", "setdefault")):
        return "a function looked up at run time"
    if isinstance(func, cst.Name) and func.value in fn.scan.loop_targets:
        return "a function looked up at run time"
    if isinstance(func, cst.Name) and func.value in fn.parameters and func.value not in fn.scan.locals:
        return "a function handed in as an argument"
    return None


def _classify_calls(mod: _Module, functions: dict[str, _Function], swapped: set[str]) -> None:
    """Fill each function's sites (and the local functions it calls) for the clients swapped so far."""
    for fn in functions.values():
        fn.sites.clear()
        fn.calls_to.clear()
        fn.nested_sites = [site for call in fn.scan.nested_calls if (site := _classify(mod, fn, call, swapped))]
        for call in fn.scan.calls:
            site = _classify(mod, fn, call, swapped)
            if site is not None:
                fn.sites[id(call)] = site
                if site.kind == "local" and site.local_function:
                    fn.calls_to.add(site.local_function)


def _known_non_blocking(name: str) -> bool:
    return (name.startswith(api.NON_BLOCKING_PREFIXES) or name in api.PRODUCERS or name in api.CLASS_TWINS
            or name in _ASYNC_FUNCTIONS)


_ASYNC_FUNCTIONS = {pair.name for pair in api.FUNCTION_PAIRS.values()}

# What values of builtin types answer to: on a value of unknown type, such a call is read as theirs.
_BUILTIN_METHOD_NAMES = frozenset(name for kind in (dict, list, str, bytes, set, tuple, int, float)
                                  for name in dir(kind))

# Base classes whose instances hold data and do no I/O of their own.
_DATA_BASES = {"builtins.object", "builtins.dict", "builtins.list", "abc.ABC", "enum.Enum", "typing.NamedTuple",
               "typing.TypedDict", "typing.Generic", "pydantic.BaseModel"}


# ---------------------------------------------------------------- deciding what becomes async

def _convertible(mod: _Module, name: str, fn: cst.FunctionDef, call_counts: dict[str, int],
                 name_counts: dict[str, int]) -> bool:
    for d in fn.decorators:
        target = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
        if not any(n.startswith("mlflow.trace") for n in mod.names(target)):
            return False
    # Used only by direct calls (the definition's own name is one use).
    return name_counts.get(name, 0) - 1 == call_counts.get(name, 0)


class _Uses(NameUses):
    """How often each name is used in the module, and how often it is called directly."""

    def __init__(self):
        super().__init__()
        self.calls: Counter[str] = Counter()

    def visit_Call(self, node):
        if isinstance(node.func, cst.Name):
            self.calls[node.func.value] += 1

    @property
    def counts(self) -> Counter[str]:
        return Counter(self.names)


@dataclass
class _Plan:
    functions: dict[str, _Function]
    converted: set[str]
    swapped: set[str]
    blocking_functions: set[str]
    stream_returners: set[str]  # converted functions that return what async code iterates (see _stream_returners)
    held: set[str]  # functions with calls that have an async form, before any client had to stay synchronous
    lazy: dict[str, int]  # global → index of its `X = asyncio.run(...)` statement


def _plan(mod: _Module, entries: list[str]) -> _Plan:
    uses = _Uses()
    walk(mod.module, uses)
    counts = uses.counts
    # Don't touch a client built with its own HTTP client: that one is synchronous, which the async class refuses;
    # the client's calls stay synchronous, in worker threads.
    candidates = {g for g, producer in mod.global_producers.items()
                  if producer in api.CLASS_TWINS and g in mod.global_constructions
                  and mod.global_assignments.get(g) == 1
                  and not any(a.keyword and a.keyword.value == "http_client" for a in mod.global_constructions[g].args)}
    swapped = set(candidates)
    functions = {n: _scan_function(mod, n, f) for n, f in mod.functions.items()}
    for name in _given_blocking_objects(mod, functions):
        functions[name].given_blocking_object = True
    # Don't touch a generator that returns a value (`return total` after its yields): an async generator cannot.
    convertible = {n for n, f in mod.functions.items() if _convertible(mod, n, f, uses.calls, counts)
                   and not functions[n].given_blocking_object
                   and not (functions[n].generator and any(r.value is not None for r in functions[n].scan.returns))}
    held: set[str] | None = None
    while True:
        _classify_calls(mod, functions, swapped)
        if held is None:
            held = {n for n, f in functions.items() if _needs_async(f)}
        converted = _converted(mod, functions, entries, convertible, uses.calls)
        receivers: dict[str, int] = {}
        for name in converted:
            for site in functions[name].sites.values():
                if site.kind == "pair" and site.receiver_global:
                    receivers[site.receiver_global] = receivers.get(site.receiver_global, 0) + 1
        keep = {g for g in swapped if receivers.get(g, 0) == counts[g] - 1}
        if keep == swapped:
            break
        swapped = keep
    blocking = _blocking_functions(functions, converted)
    lazy = {}
    for index, stmt in enumerate(mod.module.body):
        for target, value in _assignments(stmt):
            if isinstance(value, cst.Call) and mod.imported(value.func) & api.RUN_COROUTINE and value.args \
                    and mod.global_assignments.get(target) == 1:
                used_in = sum(functions[n].scan.name_uses.get(target, 0) for n in converted
                              if target not in functions[n].local_kinds)
                if used_in and used_in == counts[target] - 1:
                    lazy[target] = index
    return _Plan(functions, converted, swapped, blocking, _stream_returners(functions, converted), held - converted,
                 lazy)


def _given_blocking_objects(mod: _Module, functions: dict[str, _Function]) -> set[str]:
    """Module functions that some function hands an object whose methods may block: a synchronous client, a
    chat model or graph, an object a library the table does not know built (`ask(self.client, messages)`).
    Inside, the object is a parameter whose type cannot be inferred, so its calls cannot be classified: the
    function stays synchronous, and async code calls it in a worker thread."""
    def may_block(fn: _Function, value: cst.BaseExpression) -> bool:
        kind = mod.kind_of(value, fn.local_kinds)
        if kind is not None:
            return kind in api.BLOCKING_KINDS or kind == api.RUNNABLE
        if (cls := mod.own_class(value, fn)) is not None:
            return mod.instance_may_block(cls)
        producer = mod.producer_of(value, fn.local_kinds)
        return producer is not None and not _known_non_blocking(producer)

    # Don't touch a factory (`build_graph(llm)` returning `create_react_agent(model, tools)`): it builds an object
    # of a kind the table knows from what it is handed, and its callers get that object's async methods.
    return {call.func.value for fn in functions.values() for call in fn.scan.calls
            if isinstance(call.func, cst.Name) and call.func.value in functions
            and call.func.value not in fn.local_kinds and mod.kind_of(call, fn.local_kinds) is None
            and any(may_block(fn, a.value) for a in call.args)}


def _needs_async(fn: _Function) -> bool:
    return any(s.kind in ("pair", "function_pair", "run_coroutine") for s in fn.sites.values())


def _converted(mod: _Module, functions: dict[str, _Function], entries: list[str], convertible: set[str],
               call_counts: Counter[str]) -> set[str]:
    """The functions that become async: those reachable from the entry points that call a paired API, and
    their callers. Closed under calls: a function any of whose calls would stay synchronous (a caller that
    cannot convert, module-level code, a nested function) is left synchronous, and so is whatever needed it."""
    reachable, todo = set(), [e for e in entries if e in functions]
    while todo:
        name = todo.pop()
        if name not in reachable:
            reachable.add(name)
            todo.extend(functions[name].calls_to & set(functions))
    candidates = reachable & convertible
    converted = {n for n in candidates if _needs_async(functions[n])}
    changed = True
    while changed:
        changed = False
        for name in candidates - converted:
            if functions[name].calls_to & converted:
                converted.add(name)
                changed = True
    blocking = _blocking_functions(functions, converted)
    awaited = converted | blocking  # local functions a call of awaits
    returners = _stream_returners(functions, converted)
    for name in sorted(converted):
        fn = functions[name]
        if not _contexts_supported(mod, functions, name, converted, returners) or not _thread_results_stay_put(fn) \
                or fn.nested_code_may_block or _awaits_in_generator(mod, fn, awaited) \
                or _runs_a_coroutine_that_blocks(functions, fn, blocking) \
                or _awaits_holding_a_lock(mod, fn, awaited) or fn.enters_what_blocks \
                or _calls_from(functions, converted, name) != call_counts.get(name, 0):
            # Its callers no longer need to be async on its account: start over without it.
            return _converted(mod, functions, entries, convertible - {name}, call_counts)
    return converted


def _runs_a_coroutine_that_blocks(functions: dict[str, _Function], fn: _Function, blocking: set[str]) -> bool:
    """`asyncio.run(answer(q))` of one of the file's own async defs that calls something that may block (or awaits
    one of them that does). The original ran it on a loop of its own, in the request's thread; made `await
    answer(q)`, it would run on the server's loop, and its blocking calls would stall every request. The function
    stays synchronous and runs in a worker thread, as the original did."""
    natives = {n for n, f in functions.items() if f.node.asynchronous is not None}
    stalls = {n for n in natives if functions[n].nested_code_may_block or any(
        site.kind in _AWAITED_KINDS or site.kind == "local" and site.local_function in blocking
        for site in functions[n].sites.values())}
    changed = True
    while changed:  # one that awaits one of those stalls too
        changed = False
        for name in natives - stalls:
            if functions[name].calls_to & stalls:
                stalls.add(name)
                changed = True
    for call in fn.scan.calls:
        site = fn.sites.get(id(call))
        if site is not None and site.kind == "run_coroutine" and call.args:
            coroutine = call.args[0].value
            if isinstance(coroutine, cst.Call) and isinstance(coroutine.func, cst.Name) \
                    and coroutine.func.value in stalls:
                return True
    return False


# What builds a lock that blocks the thread waiting for it. Held across an await, it deadlocks the event loop: the
# next request's coroutine waits for it on the loop's own thread, so the holder never resumes.
_THREAD_LOCKS = {f"{module}.{name}" for module in ("threading", "multiprocessing")
                 for name in ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition")} | {"filelock.FileLock"}


def _words(identifier: str) -> set[str]:
    """`state_lock`, `stateLock`, `STATE_LOCK` → {"state", "lock"}; `clock`, `block_size` hold no "lock"."""
    return {word.lower() for part in identifier.split("_")
            for word in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", part)}


def _thread_lock(mod: _Module, fn: _Function, expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Name) and expr.value in fn.scan.locals:
        expr = fn.scan.locals[expr.value] or expr
    if isinstance(expr, cst.Call):
        return bool(mod.imported(expr.func) & _THREAD_LOCKS)
    producer = mod.producer_of(expr, fn.local_kinds)
    last = expr.attr.value if isinstance(expr, cst.Attribute) else expr.value if isinstance(expr, cst.Name) else ""
    # A lock the table cannot trace to its constructor still names itself, most of the time.
    return producer in _THREAD_LOCKS or bool(_words(last) & {"lock", "rlock", "mutex", "semaphore"})


def _awaits_holding_a_lock(mod: _Module, fn: _Function, awaited: set[str]) -> bool:
    """Converted, the function would await inside a `with` over a thread lock, or anywhere in a function that calls
    a lock's acquire() (an RLock's acquire and release would also run on different worker threads)."""
    def awaits(calls) -> bool:
        return any(_awaits_at(fn.sites.get(id(call)), awaited) for call in calls)

    if any(w.asynchronous is None and any(_thread_lock(mod, fn, item.item) for item in w.items)
           and awaits(find_all(w.body, cst.Call)) for w in fn.scan.withs):
        return True
    return any(isinstance(call.func, cst.Attribute) and call.func.attr.value == "acquire"
               and _thread_lock(mod, fn, call.func.value) for call in fn.scan.calls) and awaits(fn.scan.calls)


def _enters_what_blocks(mod: _Module, fn: _Function) -> bool:
    """A `with` over an instance of the module's own class whose `__enter__` or `__exit__` may block (opens a
    connection, waits for a resource), or over a call of the module's own `@contextmanager` generator that may
    block (`with get_connection() as conn`, taking a connection from a pool): a `with` statement runs them
    directly, on the event loop once converted."""
    return any(w.asynchronous is None and any(
        (cls := mod.own_class(item.item, fn)) is not None
        and (mod.method_may_block(cls, "__enter__") or mod.method_may_block(cls, "__exit__"))
        or mod.context_manager_may_block(item.item) for item in w.items)
        for w in fn.scan.withs)


# Sites that converted code awaits (a `local` one only when its function is awaited; `dropped` never).
_AWAITED_KINDS = ("pair", "function_pair", "run_coroutine", "blocking")


def _awaits_at(site: _Site | None, awaited: set[str]) -> bool:
    """Converted, the call at `site` is awaited: a paired call, a worker-thread call, a coroutine, or a local
    function in `awaited`."""
    return site is not None and (site.kind in _AWAITED_KINDS or site.kind == "local" and site.local_function in awaited)


def _calls_from(functions: dict[str, _Function], converted: set[str], name: str) -> int:
    """How many direct calls of `name` sit in the bodies of converted functions."""
    return sum(1 for caller in converted for site in functions[caller].sites.values()
               if site.kind == "local" and site.local_function == name)


def _async_iterable(functions, fn: _Function, site: _Site, converted) -> bool:
    """The call gives an async iterable once converted, not awaited (an async generator, `graph.astream`)."""
    if site.kind == "local":
        return site.local_function in converted and functions[site.local_function].generator
    return site.kind == "pair" and site.style == api.ITERATE


def _awaited_iterable(site: _Site, returners: set[str]) -> bool:
    """The call, awaited, may give an async iterable: `create(stream=True)`, or a converted function that
    returns one (`return client.chat.completions.create(..., stream=stream)`)."""
    if site.kind == "local":
        return site.local_function in returners
    return site.kind == "pair" and site.iterable_result


def _may_stream(call: cst.Call, site: _Site) -> bool:
    """The awaited value may be a stream: a converted function's (its callers' arguments decide), or a call
    whose `stream=` is anything but False (or that passes `**kwargs`, which may hold it)."""
    return site.kind == "local" or any(
        a.star == "**" or a.keyword is not None and a.keyword.value == "stream"
        and not (isinstance(a.value, cst.Name) and a.value.value == "False") for a in call.args)


def _stream_returners(functions: dict[str, _Function], converted: set[str]) -> set[str]:
    """Converted functions (not generators) a `return` of which gives what async code must iterate with `async
    for`: an async-iterable or awaited-iterable call, directly or through a local it was assigned to once, or
    another such function's result. Their callers iterate `await f(...)` with `async for`."""
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name in sorted(converted - found):
            fn = functions[name]
            for statement in () if fn.generator else fn.scan.returns:
                returned = statement.value
                value = fn.scan.locals.get(returned.value) if isinstance(returned, cst.Name) else returned
                site = fn.sites.get(id(value))
                if site and (_async_iterable(functions, fn, site, converted)
                             or _awaited_iterable(site, found) and _may_stream(cst.ensure_type(value, cst.Call), site)):
                    found.add(name)
                    changed = True
                    break
    return found


def _enters_only_streams(fn: _Function, statement: cst.With, returners: set[str]) -> bool:
    """Every item of the `with` is an awaited call that gives an async stream: the statement becomes `async with`."""
    return all((site := fn.sites.get(id(item.item))) is not None and _awaited_iterable(site, returners)
               for item in statement.items)


def _contexts_supported(mod: _Module, functions, name: str, converted: set[str], returners: set[str]) -> bool:
    """Every async-iterable value the function would produce is consumed by something async can express: a
    `for` (made `async for`), a list/set/dict comprehension, `yield from`, a `with` all of whose items are such
    values (made `async with`), or a generator expression handed to a known stream consumer (bridged). A
    generator expression handed to anything else would give synchronous code an async generator."""
    fn = functions[name]
    for call in fn.scan.calls:
        site = fn.sites.get(id(call))
        if site is None:
            continue
        awaited = _awaited_iterable(site, returners)
        if not (awaited or _async_iterable(functions, fn, site, converted)):
            continue
        entered = fn.scan.entered_in.get(id(call))
        if entered is not None and not _enters_only_streams(fn, entered, returners):
            return False  # `async with` needs every item to be an async context manager
        target = fn.scan.assigned.get(id(call))
        if id(call) in fn.scan.iterated or id(call) in fn.scan.yielded_from:
            generator = fn.scan.generator_iters.get(id(call))
        elif target and fn.scan.name_uses.get(target, 0) == 1 + _iterations_of(fn, target) + _returns_of(fn, target) \
                + (fn.scan.dereferenced_names[target] if awaited else 0):
            generator = fn.scan.generator_names.get(target)
        elif not awaited and _bridged(mod, fn, call):
            continue  # `output_to_responses_items_stream(call_llm(messages))`: bridged like a generator expression
        elif awaited and entered is None and (not _may_stream(call, site) or id(call) in fn.scan.dereferenced
                                              or any(r.value is call for r in fn.scan.returns)):
            # Awaited where it stands: a value that is no stream, one read as a whole answer (`.choices`: the
            # original could not have read that from a stream), or one returned to callers that iterate it (a
            # stream returner). A possible stream anywhere else (handed to a function, kept in a list, chosen by
            # `x if c else y`) could reach code that iterates it synchronously.
            continue
        else:
            return False
        if generator is not None and not _bridged(mod, fn, generator):
            return False
    return True


def _thread_results_stay_put(fn: _Function) -> bool:
    """No value a worker-thread call returns is used on the event loop in a way that may do I/O: entered
    (`with`), iterated, or its methods called. What a blocking call returns can be lazy (a session, a cursor, a
    paged list, a streamed body), so those uses would block the loop; the function then stays synchronous and
    runs in a worker thread as a whole."""
    entered = {id(item.item) for item in fn.scan.with_items}
    entered_names = {item.item.value for item in fn.scan.with_items if isinstance(item.item, cst.Name)}
    used_lazily = fn.scan.iterated_names | fn.scan.receivers | entered_names
    for call in fn.scan.calls:
        site = fn.sites.get(id(call))
        if site is None or site.kind != "blocking":
            continue
        if id(call) in entered or id(call) in fn.scan.iterated or id(call) in fn.scan.called_on:
            return False
        name = fn.scan.holders.get(id(call))
        if name and name in used_lazily:
            return False
    return True


def _awaits_in_generator(mod: _Module, fn: _Function, awaited: set[str]) -> bool:
    """A generator expression would await (a paired call, a worker-thread call, a local function in `awaited`):
    that makes it an async generator expression, which a synchronous consumer (join, sum, any) cannot take."""
    return any(_awaits_at(fn.sites.get(call_id), awaited) and not _bridged(mod, fn, generator)
               for call_id, generator in fn.scan.generator_calls.items())


def _bridged(mod: _Module, fn: _Function, chunks: cst.BaseExpression) -> bool:
    """The expression (a generator expression, a call of a generator function) is the chunks argument of a known
    stream consumer, whose result is iterated."""
    consumer = fn.scan.consumers.get(id(chunks))
    return (consumer is not None and bool(mod.imported(consumer.func) & api.SYNC_STREAM_CONSUMERS)
            and (id(consumer) in fn.scan.iterated or id(consumer) in fn.scan.yielded_from))


def _returns_of(fn: _Function, name: str) -> int:
    return sum(1 for r in fn.scan.returns if isinstance(r.value, cst.Name) and r.value.value == name)


def _iterations_of(fn: _Function, name: str) -> int:
    return 1 if name in fn.scan.iterated_names else 0


def _blocking_functions(functions: dict[str, _Function], converted: set[str]) -> set[str]:
    """Synchronous functions that may block (directly or through others): async code calls them in threads.
    An `async def` of the input is never one: calling it makes a coroutine, which the code that has it awaits or
    hands to asyncio.run (made an await in converted code); run in a thread, it would only make the coroutine."""
    asynchronous = converted | {n for n, f in functions.items() if f.node.asynchronous is not None}
    blocking = {n for n, f in functions.items() if n not in asynchronous and (
        f.nested_code_may_block or f.given_blocking_object or f.enters_what_blocks
        or any(s.kind in _AWAITED_KINDS for s in f.sites.values()))}
    changed = True
    while changed:
        changed = False
        for name, fn in functions.items():
            if name not in asynchronous and name not in blocking and fn.calls_to & (blocking | converted):
                blocking.add(name)
                changed = True
    return blocking


# ---------------------------------------------------------------- rewriting

def _dotted(name: str) -> cst.BaseExpression:
    return cst.parse_expression(name)


def _awaited(expr: cst.BaseExpression) -> cst.Await:
    return cst.Await(expression=expr)


class _ToAsync(cst.CSTTransformer):
    """Rewrites the body of one converted function."""

    def __init__(self, mod: _Module, plan: _Plan, fn: _Function, imports: ImportChanges, report,
                 lazy_loaders: dict[str, str]):
        self.mod = mod
        self.plan = plan
        self.fn = fn
        self.imports = imports
        self.report = report
        self.lazy_loaders = lazy_loaders
        self.async_names: set[str] = set()  # locals bound to async iterables
        self.stream_names: set[str] = set()  # of those, the awaited streams (`await create(stream=True)`)
        self.async_iters: set[int] = set()  # ids of original calls that now give async iterables
        self.depth = 0

    # Nested scopes keep their synchronous semantics.
    def visit_FunctionDef(self, node):
        self.depth += 1

    def leave_FunctionDef(self, original, updated):
        self.depth -= 1
        return updated

    def visit_Lambda(self, node):
        self.depth += 1

    def leave_Lambda(self, original, updated):
        self.depth -= 1
        return updated

    def _iterable(self, original, target: str | None, awaited: bool = False) -> None:
        """The call now gives an async iterable: its `for`, or the name it is bound to, goes async."""
        self.async_iters.add(id(original))
        if target:
            self.async_names.add(target)
            if awaited:
                self.stream_names.add(target)

    def leave_Call(self, original, updated):
        if self.depth:
            return updated
        func = updated.func
        if not updated.args and isinstance(func, cst.Attribute) and func.attr.value == "close" \
                and isinstance(func.value, cst.Name) and func.value.value in self.stream_names:
            return _awaited(updated)  # an async stream's close() is a coroutine: unawaited, nothing is closed
        if any(isinstance(a.value, cst.GeneratorExp) and _is_async_generator(a.value) for a in updated.args) \
                or original.args and id(original.args[0].value) in self.async_iters:
            # Only a known stream consumer gets here (_contexts_supported): it runs in a worker thread that
            # pulls each chunk from the event loop, and its events come back as an async iterable.
            self.imports.add(ADAPTERS, api.SYNC_CONSUMER_BRIDGE)
            self._iterable(original, None)
            args = [a.with_changes(value=a.value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]))
                    if isinstance(a.value, cst.GeneratorExp) and not a.value.lpar else a for a in updated.args]
            return cst.Call(func=cst.Name(api.SYNC_CONSUMER_BRIDGE), args=[cst.Arg(updated.func), *args])
        site = self.fn.sites.get(id(original))
        if site is None:
            return updated
        iterated = id(original) in self.fn.scan.iterated or id(original) in self.fn.scan.yielded_from
        target = self.fn.scan.assigned.get(id(original))
        if site.kind == "pair":
            receiver = _chain_receiver(updated.func, len(site.detail.split(".")))
            new_func = receiver
            for part in site.detail.split("."):
                new_func = cst.Attribute(value=new_func, attr=cst.Name(part))
            call = updated.with_changes(func=new_func)
            if site.style == api.ITERATE:
                self._iterable(original, target)
                return call
            if site.iterable_result and (iterated or target):
                self._iterable(original, target, awaited=True)
            return _awaited(call)
        if site.kind == "function_pair":
            module, function = site.detail.rsplit(".", 1)
            if isinstance(updated.func, cst.Attribute) and self.mod.imported(original.func.value) == {module}:
                new_func = updated.func.with_changes(attr=cst.Name(function))  # Runner.run_sync → Runner.run
            else:
                self.imports.add(module)
                self.imports.drop_unused(original)
                new_func = _dotted(site.detail)
            return _awaited(updated.with_changes(func=new_func))
        if site.kind == "run_coroutine" and updated.args:
            self.imports.drop_unused(original.func)
            return _awaited(updated.args[0].value)
        if site.kind == "local" and site.local_function in self.plan.converted:
            if _async_iterable(self.plan.functions, self.fn, site, self.plan.converted):
                self._iterable(original, target)
                return updated
            if site.local_function in self.plan.stream_returners and (iterated or target):
                self._iterable(original, target, awaited=True)
            return _awaited(updated)
        if site.kind == "blocking" or (site.kind == "local" and site.local_function in self.plan.blocking_functions):
            what = site.detail if site.kind == "blocking" else f"{site.local_function}(), which blocks,"
            why = "is not converted" if site.withheld else "has no async form serving2apps knows"
            self.report("S2A171", f"in {self.fn.name}, {what} {why}: it runs in a worker thread")
            helper = "iterate_in_worker_thread" if iterated else "in_worker_thread"
            self.imports.add(ADAPTERS, helper)
            call = cst.Call(func=cst.Name(helper), args=[cst.Arg(updated.func), *updated.args])
            if iterated:
                self._iterable(original, None)
                return call
            return _awaited(call)
        return updated

    def leave_Name(self, original, updated):
        if not self.depth and updated.value in self.lazy_loaders and updated.value not in self.fn.local_kinds:
            return _awaited(cst.Call(func=cst.Name(self.lazy_loaders[updated.value]))).with_changes(
                lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return updated

    def leave_Attribute(self, original, updated):
        updated = updated.with_changes(attr=original.attr)
        return updated.with_changes(value=_parenthesized(updated.value))

    def leave_Subscript(self, original, updated):
        return updated.with_changes(value=_parenthesized(updated.value))

    def leave_Arg(self, original, updated):
        return updated.with_changes(keyword=original.keyword)

    def _goes_async(self, original_iter) -> bool:
        if isinstance(original_iter, cst.Name):
            return original_iter.value in self.async_names
        return id(original_iter) in self.async_iters

    def leave_For(self, original, updated):
        if not self.depth and self._goes_async(original.iter):
            return updated.with_changes(asynchronous=cst.Asynchronous())
        return updated

    def leave_CompFor(self, original, updated):
        if not self.depth and self._goes_async(original.iter):
            return updated.with_changes(asynchronous=cst.Asynchronous())
        return updated

    def leave_With(self, original, updated):
        if self.depth:
            return updated
        if _enters_only_streams(self.fn, original, self.plan.stream_returners):
            # `with client.chat.completions.create(..., stream=True) as stream`: the async stream is entered with
            # `async with` (every item is one: _contexts_supported).
            return updated.with_changes(asynchronous=cst.Asynchronous())
        items, twinned = [], False
        for original_item, item in zip(original.items, updated.items):
            producer = self.mod.imported(original_item.item.func) if isinstance(original_item.item, cst.Call) else set()
            twin = sorted(producer & api.CONTEXT_MANAGER_TWINS)
            if twin:
                module, name = api.CLASS_TWINS[twin[0]].rsplit(".", 1)
                self.imports.add(module, name)
                self.imports.drop_unused(original_item.item.func)
                item = item.with_changes(item=item.item.with_changes(func=cst.Name(name)))
                twinned = True
            items.append(item)
        if twinned:
            return updated.with_changes(items=items, asynchronous=cst.Asynchronous())
        return updated

    def leave_SimpleStatementLine(self, original, updated):
        if self.depth or len(updated.body) != 1:
            return updated
        stmt, before = updated.body[0], original.body[0]
        if isinstance(stmt, cst.Expr) and isinstance(stmt.value, cst.Yield) and isinstance(stmt.value.value, cst.From):
            # An async generator cannot `yield from`: loop over the items instead (async for an async iterable).
            name = _unique("item", {*self.fn.scan.name_uses, *self.fn.local_kinds})
            return cst.For(
                target=cst.Name(name),
                iter=stmt.value.value.item,
                body=cst.IndentedBlock([cst.SimpleStatementLine([cst.Expr(cst.Yield(cst.Name(name)))])]),
                asynchronous=cst.Asynchronous() if self._goes_async(before.value.value.item) else None,
                leading_lines=updated.leading_lines,
            )
        if isinstance(stmt, cst.Expr) and isinstance(before.value, cst.Call) \
                and getattr(self.fn.sites.get(id(before.value)), "kind", None) == "dropped":
            return cst.RemoveFromParent()
        if _private_loop(self.mod, self.fn, before):
            # The loop only existed to run coroutines, which are awaited now; keeping it would leak one per call.
            self.imports.drop_unused(before)
            return cst.RemoveFromParent()
        return updated


def _is_async_generator(expr: cst.GeneratorExp) -> bool:
    comp: cst.CompFor | None = expr.for_in
    while comp is not None:
        if comp.asynchronous is not None:
            return True
        comp = comp.inner_for_in
    return False


def _private_loop(mod: _Module, fn: _Function, stmt) -> bool:
    """`loop = asyncio.new_event_loop()` whose loop is only used to run_until_complete."""
    if not (isinstance(stmt, cst.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0].target, cst.Name)
            and isinstance(stmt.value, cst.Call) and mod.imported(stmt.value.func) & api.EVENT_LOOP_FACTORIES):
        return False
    loop = stmt.targets[0].target.value
    runs = sum(1 for call in fn.scan.calls if isinstance(call.func, cst.Attribute)
               and call.func.attr.value in api.RUN_COROUTINE_METHODS
               and isinstance(call.func.value, cst.Name) and call.func.value.value == loop)
    return fn.scan.name_uses.get(loop, 0) == 1 + runs


def _parenthesized(expr):
    if isinstance(expr, cst.Await) and not expr.lpar:
        return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return expr


class _SwapConstructions(cst.CSTTransformer):
    """`client = OpenAI(...)` → `client = AsyncOpenAI(...)` for the globals whose every use became async."""

    def __init__(self, mod: _Module, swapped: set[str], imports: ImportChanges):
        self.mod, self.swapped, self.imports = mod, swapped, imports
        self.done: list[str] = []

    def leave_Assign(self, original, updated):
        if len(original.targets) != 1 or not isinstance(original.targets[0].target, cst.Name):
            return updated
        target = original.targets[0].target.value
        if target not in self.swapped or not isinstance(original.value, cst.Call):
            return updated
        producer = self.mod.global_producers[target]
        module, twin = api.CLASS_TWINS[producer].rsplit(".", 1)
        self.imports.add(module, twin)
        self.imports.drop_unused(original.value)
        call = updated.value.with_changes(func=cst.Name(twin))
        # An async OpenAI client gets aiohttp's transport (its default one's pool costs CPU per open connection,
        # see the app's http_clients.py); not AsyncDatabricksOpenAI, which builds its own authorized one.
        if producer in api.TRANSPORT_CHOICE:
            module, helper = api.TRANSPORT_CHOICE[producer].rsplit(".", 1)
            self.imports.add(module, helper)
            call = _appended(call, cst.Arg(keyword=cst.Name("http_client"), value=cst.parse_expression(f"{helper}()"),
                                           equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
            twin += " on aiohttp's transport when installed"
        self.done.append(f"{target}: {producer.rsplit('.', 1)[1]} → {twin}")
        return updated.with_changes(value=call)


def _appended(call: cst.Call, arg: cst.Arg) -> cst.Call:
    """`call` with `arg` last, laid out like the arguments before it (one per line after a trailing comma)."""
    args = list(call.args)
    if args and isinstance(args[-1].comma, cst.Comma):
        trailing = args[-1].comma
        between = (args[-2].comma.whitespace_after if len(args) > 1 and isinstance(args[-2].comma, cst.Comma)
                   else call.whitespace_before_args)
        args[-1] = args[-1].with_changes(comma=trailing.with_changes(whitespace_after=between))
        arg = arg.with_changes(comma=trailing)
    return call.with_changes(args=[*args, arg])


def _lazy_initialiser(target: str, loader: str, lock: str, value: cst.BaseExpression) -> list[cst.BaseStatement]:
    """`value` is the `asyncio.run(coroutine)` call the plan found."""
    coroutine = cst.Module([]).code_for_node(cst.ensure_type(value, cst.Call).args[0].value)
    code = (
        f"{target} = None\n"
        f"{lock} = asyncio.Lock()\n"
        "\n\n"
        f"async def {loader}():\n"
        f'    """{target}, computed once on first use (it needs the event loop, which import time does not have)."""\n'
        f"    global {target}\n"
        f"    async with {lock}:\n"
        f"        if {target} is None:\n"
        f"            {target} = await {coroutine}\n"
        f"    return {target}\n"
    )
    return list(cst.parse_module(code).body)


def make_async(module: cst.Module, entries: list[str], filename: str, per_thread_elsewhere: str | None = None
               ) -> AsyncResult:
    """Convert what the table allows; `entries` are the functions the handlers call (predict, predict_stream);
    `per_thread_elsewhere` names per-thread state a module of the agent's own keeps (`per_thread_state_in`)."""
    mod = _Module(module)
    per_thread = _per_thread_state(mod) or per_thread_elsewhere
    plan = None if per_thread else _plan(mod, entries)
    findings: list[Finding] = []
    imports = ImportChanges()

    def report(code, message):
        # No line: lines move when the handlers and imports are added; messages name the function instead.
        findings.append(Finding(code, message, filename))

    if plan is None or not plan.converted:
        why = (f"the agent keeps per-thread state ({per_thread}), which requests on the event loop would share"
               if plan is None
               else f"the calls with an async form sit in functions that must stay synchronous "
                    f"({', '.join(sorted(plan.held))})" if plan.held
               else f"{kept}, and nothing else the agent calls has an async form serving2apps knows"
               if (kept := _async_form_withheld(plan))
               else "nothing the agent calls has an async form serving2apps knows")
        report("S2A172", f"{why}; predict/predict_stream stay synchronous and run in worker threads")
        return AsyncResult(module, set(), findings)

    taken = set(mod.functions) | set(mod.global_kinds) | set(mod.global_assignments) | mod.classes
    lazy_loaders = {}
    for target in plan.lazy:
        lazy_loaders[target] = _unique(f"load_{target.lstrip('_').lower()}", taken)
    body = []
    for index, stmt in enumerate(mod.module.body):
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in plan.functions:
            fn = plan.functions[stmt.name.value]
            if fn.name in plan.converted:
                transformer = _ToAsync(mod, plan, fn, imports, report, lazy_loaders)
                new_body = stmt.body.visit(transformer)
                returns = _async_generator_annotation(mod, stmt.returns, imports) if fn.generator else stmt.returns
                stmt = stmt.with_changes(body=new_body, asynchronous=cst.Asynchronous(), returns=returns)
        elif any(t in plan.lazy for t, _ in _assignments(stmt)):
            target, value = _assignments(stmt)[0]
            lock = _unique(f"_{target.lstrip('_').lower()}_lock", taken)
            imports.add("asyncio")
            imports.drop_unused(stmt)
            new = _lazy_initialiser(target, lazy_loaders[target], lock, value)
            new[0] = new[0].with_changes(leading_lines=stmt.leading_lines)
            body.extend(new)
            report("S2A175", f"{target} needs the event loop: it is now computed once, on first use, by "
                             f"{lazy_loaders[target]}()")
            continue
        elif _drops(mod, stmt):
            imports.drop_unused(stmt)
            report("S2A174", "nest_asyncio.apply() removed: the app's event loop must not be patched")
            continue
        body.append(stmt)
    swap = _SwapConstructions(mod, plan.swapped, imports)
    new_module = mod.module.with_changes(body=body).visit(swap)
    for done in swap.done:
        report("S2A173", f"client {done}, its only uses are now awaited")
    converted = sorted(plan.converted)
    report("S2A170", f"{len(converted)} function(s) became async: {', '.join(converted)}")
    new_module = imports.apply(new_module)
    return AsyncResult(new_module, set(plan.converted), findings)


# A generator's return annotation → its async generator's, and how many type arguments that keeps
# (Generator[Yield, Send, Return] → AsyncGenerator[Yield, Send]: an async generator returns nothing).
_ASYNC_ITERATION = {"Generator": ("AsyncGenerator", 2), "Iterator": ("AsyncIterator", 1),
                    "Iterable": ("AsyncIterable", 1)}
_TYPING_MODULES = ("typing", "collections.abc", "typing_extensions")


def _async_generator_annotation(mod: _Module, returns: cst.Annotation | None, imports: ImportChanges
                                ) -> cst.Annotation | None:
    """`-> Generator[...]`, `-> Iterator[...]` or `-> Iterable[...]` of a generator made async, as its async
    counterpart from collections.abc; any other annotation as it was."""
    if returns is None:
        return None
    annotation = returns.annotation
    base = annotation.value if isinstance(annotation, cst.Subscript) else annotation
    for name in mod.imported(base):
        module, _, short = name.rpartition(".")
        if module not in _TYPING_MODULES or short not in _ASYNC_ITERATION:
            continue
        async_name, kept = _ASYNC_ITERATION[short]
        bound = mod.global_bindings(async_name)
        if bound - {f"{typing}.{async_name}" for typing in _TYPING_MODULES}:
            return returns  # the name means something else here: the annotation stays, as an annotation only
        if not bound:
            imports.add("collections.abc", async_name)
        imports.drop_unused(base)
        if not isinstance(annotation, cst.Subscript):
            return returns.with_changes(annotation=cst.Name(async_name))
        arguments = list(annotation.slice[:kept])
        arguments[-1] = arguments[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return returns.with_changes(annotation=annotation.with_changes(value=cst.Name(async_name), slice=arguments))
    return returns


# What keeps a value per thread, or tells threads apart. Synchronous, each request has a thread of its own, as it had
# in Model Serving; on the event loop every request runs on the loop's one thread, so they would share one value
# (one request's `_local.user` read by another), and a worker-thread call would see another thread's.
_PER_THREAD = {"threading.local", "_thread._local", "threading.get_ident", "threading.get_native_id",
               "threading.current_thread", "_thread.get_ident"}


def _per_thread_state(mod: _Module) -> str | None:
    """The first per-thread construct the module uses (`threading.local()`, a subclass of it, `get_ident()`)."""
    return _first_per_thread(mod.calls, mod.class_defs.values(), mod.imported)


def per_thread_state_in(source: str) -> str | None:
    """`_per_thread_state` of a module of the agent's own (code/), read from its source: its functions run on the
    event loop too when the agent's converted code calls them."""
    if "thread" not in source:  # most modules: no second parse
        return None
    try:
        parsed = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return None  # a file Python cannot import either: it keeps nothing, and it is copied as it is
    wrapper = MetadataWrapper(parsed, unsafe_skip_copy=True)
    qualified = wrapper.resolve(QualifiedNameProvider)
    return _first_per_thread(find_all(wrapper.module, cst.Call), find_all(wrapper.module, cst.ClassDef),
                             lambda node: _imported(qualified, node))


def _first_per_thread(calls: Iterable[cst.Call], classes: Iterable[cst.ClassDef],
                      imported: Callable[[cst.CSTNode], set[str]]) -> str | None:
    used = [call.func for call in calls] + [base.value for cls in classes for base in cls.bases]
    return next((name for target in used for name in sorted(imported(target) & _PER_THREAD)), None)


def _drops(mod: _Module, stmt) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, cst.Call)
            and bool(mod.imported(stmt.body[0].value.func) & api.DROPPED_CALLS))


def _unique(wanted: str, taken: set[str]) -> str:
    name, n = wanted, 1
    while name in taken:
        n += 1
        name = f"{wanted}_{n}"
    taken.add(name)
    return name


# ---------------------------------------------------------------- the blocking-call check

def blocking_calls_in_async(code: str, filename: str, functions: set[str]) -> list[Finding]:
    """Each call that may block the event loop inside the named async functions of `code` (the ones the
    codemod wrote or converted: a hit is a bug in the codemod, S2A179)."""
    mod = _Module(cst.parse_module(code), parsed=True)
    findings = []
    everything = {n: _scan_function(mod, n, f) for n, f in mod.functions.items()}
    _classify_calls(mod, everything, set())
    native = {n for n, f in mod.functions.items() if f.asynchronous is not None}
    blocking = _blocking_functions(everything, native)
    for name in sorted(native & functions):
        fn = everything[name]
        for call in fn.scan.calls:
            site = fn.sites.get(id(call))
            if site is None or site.kind == "dropped":
                continue
            if site.kind == "local" and site.local_function not in blocking:
                continue
            what = cst.Module([]).code_for_node(call.func)
            findings.append(Finding("S2A179", f"{name} calls {what}() directly inside async def", filename,
                                    mod.line(call)))
        for held in fn.scan.withs:
            if held.asynchronous is None and any(_thread_lock(mod, fn, item.item) for item in held.items) \
                    and find_all(held.body, cst.Await):
                findings.append(Finding("S2A179", f"{name} awaits while holding a thread lock", filename,
                                        mod.line(held)))
        if fn.enters_what_blocks:
            findings.append(Finding("S2A179", f"{name} enters a context manager whose __enter__ or __exit__ may "
                                              "block, inside async def", filename, mod.line(fn.node)))
    return findings
