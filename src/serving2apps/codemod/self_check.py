"""The independent check every codemod output passes before it is written.

It reads the input and the output afresh with Python's own `ast` and pyflakes, and shares nothing with the
transformers' analysis (no libcst metadata, no plan), so a transformer bug cannot hide from it. It asks:

- does the output compile under this Python;
- is any name undefined in the output that the input defined (`self`, the removed `AGENT`, a lost import);
- are `@invoke()` and `@stream()` each registered once, on an `async def` (the stream an async generator);
- is any `set_model` call left;
- did a module-level binding or call of the input disappear, other than the served class and instance;
- does a call to a function of the file pass more arguments than it takes (a signature the migration changed);
- does a module function carry a decorator that only works on a class's method (`@cached_property`);
- async closure: is an `async def` of the file called without `await` / `async for`, an async generator
  expression handed to code that wants a plain iterable, an async client used from synchronous code, or an
  async stream's close() left unawaited;
- is a known blocking call left inside an `async def` the migration wrote.

Not checked: types (a value's kind is only known where a name is bound to a constructor call), and inputs
that this Python cannot parse (newer syntax): they are reported as not checked, not as failures.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from pyflakes.api import check as pyflakes_check
from pyflakes.messages import UndefinedLocal, UndefinedName
from pyflakes.reporter import Reporter

from serving2apps.codemod.names import APPS_TRACKING_URI, SET_EXPERIMENT, SET_TRACKING_URI

SERVER = "mlflow.genai.agent_server"
# Functions known to take an async iterable (the app's adapters).
ASYNC_ITERABLE_CONSUMERS = {"response_from_async_stream_events", "iterate_sync_consumer"}
# The app's adapters, as the file imports them: which are coroutine functions, which async generators.
ADAPTERS = "agent_server.adapters"
ADAPTER_ASYNC = {"in_worker_thread": False, "response_from_async_stream_events": False,
                 "iterate_in_worker_thread": True, "iterate_sync_consumer": True}
# Methods that take a coroutine object and run it (an event loop's).
COROUTINE_RUNNERS = {"run_until_complete", "create_task", "run_coroutine_threadsafe"}
# An async generator's own methods, each returning an awaitable one step of it.
ASYNC_GENERATOR_STEPS = {"__anext__", "asend", "athrow", "aclose"}


@dataclass
class CheckResult:
    problems: list[str] = field(default_factory=list)
    unchecked: str | None = None  # why the check could not run (the input needs a newer Python)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_output(before: str, after: str, blocking_check=None) -> CheckResult:
    """Every rule on one input/output pair. `blocking_check(after, written_async) -> [message]` finds known
    blocking calls inside the given async functions (the sync → async table lives with the async codemod)."""
    try:
        old = ast.parse(before)
    except SyntaxError:
        return CheckResult(unchecked="the agent file needs a newer Python than this one to parse")
    try:
        with warnings.catch_warnings():  # what compile() warns of (`None(x)`) is the rules' to report, not stderr's
            warnings.simplefilter("ignore", SyntaxWarning)
            compile(after, "agent.py", "exec")
        new = ast.parse(after)
    except SyntaxError as exc:
        return CheckResult([f"the output does not compile: {exc.msg} (line {exc.lineno})"])
    problems = [
        *_new_undefined_names(before, after),
        *_registration(new),
        *_set_model_left(new),
        *_lost_statements(old, new),
        *_not_in_input(_arity, old, new),
        *_method_decorators(old, new),
        *_not_in_input(_async_closure, old, new),
    ]
    if blocking_check is not None:
        # An async def of the input (a method too, now a module function of the same name) was the author's.
        written = _async_functions(new) - _async_functions(old) - {
            m.name for c in old.body if isinstance(c, ast.ClassDef) for m in c.body if isinstance(m, ast.AsyncFunctionDef)}
        problems += blocking_check(after, written)
    return CheckResult(problems)


def _not_in_input(rule, old: ast.Module, new: ast.Module) -> list[str]:
    """The rule's problems in the output that the input does not have too. The input was served as it is: what the
    rule finds in it is the author's code (or a pattern the rule cannot read), not something the migration did."""
    def unplaced(problem: str) -> str:
        return re.sub(r"^line \d+: ", "", problem)

    left = Counter(unplaced(p) for p in rule(old))
    problems = []
    for problem in rule(new):
        if left[unplaced(problem)]:
            left[unplaced(problem)] -= 1
        else:
            problems.append(problem)
    return problems


# ---------------------------------------------------------------- names

class _Collect(Reporter):
    def __init__(self):
        self.names: Counter[str] = Counter()

    def flake(self, message):
        # UndefinedLocal: a name read in a function before the function binds it (a global made local).
        if isinstance(message, (UndefinedName, UndefinedLocal)):
            self.names[message.message_args[0]] += 1

    def unexpectedError(self, filename, msg):  # pragma: no cover - only for unreadable files
        pass

    def syntaxError(self, *args):  # pragma: no cover - compile() ran first
        pass


def _undefined(source: str) -> set[str]:
    reporter = _Collect()
    pyflakes_check(source, "agent.py", reporter)
    return set(reporter.names)


def _new_undefined_names(before: str, after: str) -> list[str]:
    new = sorted(_undefined(after) - _undefined(before))
    return [f"{name} is used but no longer defined" for name in new]


def _imports(tree: ast.Module) -> dict[str, str]:
    """Local name → qualified name, for the module-level imports."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
    return names


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *parts])
    return None


def _qualified(node: ast.AST, imports: dict[str, str]) -> str | None:
    dotted = _dotted(node)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    head = imports.get(head, head)
    return f"{head}.{rest}" if rest else head


# ---------------------------------------------------------------- registration and set_model

def _decorated_with(fn: ast.AST, target: str, imports: dict[str, str]) -> bool:
    for d in getattr(fn, "decorator_list", []):
        call = d.func if isinstance(d, ast.Call) else d
        name = _qualified(call, imports) or ""
        if name in (f"{SERVER}.{target}", f"{SERVER}.server.{target}"):
            return True
    return False


def _is_generator(fn: ast.AST) -> bool:
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in _own_nodes(fn))


def _registration(tree: ast.Module) -> list[str]:
    imports = _imports(tree)
    problems = []
    for target in ("invoke", "stream"):
        handlers = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and _decorated_with(n, target, imports)]
        if len(handlers) != 1:
            problems.append(f"@{target}() is registered {len(handlers)} times, not once")
            continue
        handler = handlers[0]
        if not isinstance(handler, ast.AsyncFunctionDef):
            problems.append(f"the @{target}() handler {handler.name} is not async: it would block the server")
        elif target == "stream" and not _is_generator(handler):
            problems.append(f"the @stream() handler {handler.name} is not an async generator")
        problems += [f"the @{target}() handler {handler.name} calls {ast.unparse(c)}, which is not a function "
                     f"(line {c.lineno})" for c in _constants_called(handler)]
    return problems


def _constants_called(handler: ast.AST) -> list[ast.Constant]:
    """Constants the handler calls, itself (`None(request)`) or through an adapter (`in_worker_thread(None, ...)`):
    what a strategy writes where it found no entry point to call."""
    found = []
    for call in ast.walk(handler):
        if not isinstance(call, ast.Call):
            continue
        if isinstance(call.func, ast.Constant):
            found.append(call.func)
        elif isinstance(call.func, ast.Name) and call.func.id in ADAPTER_ASYNC and call.args \
                and isinstance(call.args[0], ast.Constant):
            found.append(call.args[0])
    return found


def _is_set_model(call: ast.Call, imports: dict[str, str]) -> bool:
    name = _qualified(call.func, imports) or ""
    return name.endswith("set_model") and name.startswith("mlflow")


def _picks_tracking(call: ast.Call, imports: dict[str, str]) -> bool:
    """An import-time choice of experiment or of the Databricks tracking URI: the app's server makes that choice."""
    name = _qualified(call.func, imports) or ""
    if name in SET_EXPERIMENT:
        return True
    return name in SET_TRACKING_URI and len(call.args) == 1 and isinstance(call.args[0], ast.Constant) \
        and call.args[0].value == APPS_TRACKING_URI


def _set_model_left(tree: ast.Module) -> list[str]:
    imports = _imports(tree)
    return [f"set_model() is still called (line {n.lineno})" for n in ast.walk(tree)
            if isinstance(n, ast.Call) and _is_set_model(n, imports)]


# ---------------------------------------------------------------- statements lost

def _module_level(tree: ast.Module) -> Iterator[ast.AST]:
    """Statements that run at import: the module body and the bodies of its if/try/with/for blocks."""
    todo = list(tree.body)
    while todo:
        stmt = todo.pop(0)
        yield stmt
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for block in ("body", "orelse", "finalbody"):
            todo.extend(getattr(stmt, block, []))
        for handler in getattr(stmt, "handlers", []):
            todo.extend(handler.body)


def _bound(stmt: ast.AST) -> set[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return set()  # an import left unused is dropped on purpose; one still used shows as an undefined name
    targets = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
        targets = [stmt.target]
    elif isinstance(stmt, (ast.For, ast.AsyncFor)):
        targets = [stmt.target]
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in stmt.items if i.optional_vars is not None]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _served(tree: ast.Module) -> set[str]:
    """What set_model() served: the names handed to it, the agent classes, and the names bound to those."""
    imports = _imports(tree)
    classes = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    agents: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, cls in classes.items():
            bases = {(_qualified(b, imports) or "").rsplit(".", 1)[-1] for b in cls.bases}
            if name not in agents and bases & ({"ResponsesAgent"} | agents):
                agents.add(name)
                changed = True
    served = set(agents)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_set_model(node, imports) and node.args \
                and isinstance(node.args[0], ast.Name):
            served.add(node.args[0].id)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and (_dotted(node.value.func) or "").rsplit(".", 1)[-1] in agents:
            served |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return served


def _calls_at_import(tree: ast.Module, skip: set[str]) -> Counter[str]:
    imports = _imports(tree)
    calls: Counter[str] = Counter()
    for stmt in _module_level(tree):
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            name = _dotted(stmt.value.func)
            if name is None or name.split(".")[0] in skip or _is_set_model(stmt.value, imports) \
                    or (_qualified(stmt.value.func, imports) or "") == "nest_asyncio.apply" \
                    or _picks_tracking(stmt.value, imports):
                continue
            calls[name] += 1
    return calls


def _lost_statements(old: ast.Module, new: ast.Module) -> list[str]:
    served = _served(old)
    before = set().union(*[_bound(s) for s in _module_level(old)] or [set()])
    after = set().union(*[_bound(s) for s in _module_level(new)] or [set()])
    problems = [f"the module no longer binds {name}" for name in sorted(before - after - served)]
    lost = _calls_at_import(old, served) - _calls_at_import(new, served)
    problems += [f"the module-level call {name}() was lost" for name in sorted(lost)]
    return problems


# ---------------------------------------------------------------- arity

def _arity(tree: ast.Module) -> list[str]:
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    problems = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions):
            continue
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            continue
        args = functions[node.func.id].args
        positional = [*args.posonlyargs, *args.args]
        if args.vararg is None and len(node.args) > len(positional):
            problems.append(f"line {node.lineno}: {node.func.id}() takes {len(positional)} positional "
                            f"argument(s) but is given {len(node.args)}")
        names = {a.arg for a in [*args.args, *args.kwonlyargs]}
        unknown = [k.arg for k in node.keywords if k.arg not in names]
        if args.kwarg is None and unknown:
            problems.append(f"line {node.lineno}: {node.func.id}() has no parameter {unknown[0]}")
    return problems


# ---------------------------------------------------------------- method-only decorators

# Decorators that build a descriptor, which does its work only as a class attribute: on a module function the
# name is bound to the descriptor itself, and the first read of it fails or gives the wrong value.
METHOD_ONLY_DECORATORS = {"property", "cached_property", "staticmethod", "classmethod", "abstractproperty",
                          "singledispatchmethod", "setter", "getter", "deleter"}


def _method_decorators(old: ast.Module, new: ast.Module) -> list[str]:
    def decorated(tree: ast.Module) -> set[tuple[str, str]]:
        return {(stmt.name, name) for stmt in tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
                for d in stmt.decorator_list
                if (name := (_dotted(d.func if isinstance(d, ast.Call) else d) or "").split(".")[-1])
                in METHOD_ONLY_DECORATORS}

    return [f"{function} is a module function decorated with @{name}, which works only on a class's method"
            for function, name in sorted(decorated(new) - decorated(old))]


# ---------------------------------------------------------------- async closure

def _own_nodes(fn: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body, nested functions, lambdas and classes excluded."""
    todo = list(ast.iter_child_nodes(fn))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def _async_functions(tree: ast.Module) -> set[str]:
    return {n.name for n in tree.body if isinstance(n, ast.AsyncFunctionDef)}


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _enclosing_function(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST | None:
    while id(node) in parents:
        node = parents[id(node)]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return node
    return None


def _async_iterated(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    parent = parents.get(id(node))
    if isinstance(parent, ast.AsyncFor) and parent.iter is node:
        return True
    return isinstance(parent, ast.comprehension) and parent.iter is node and bool(parent.is_async)


def _stepped(node: ast.Name, parents, imports: dict[str, str]) -> bool:
    """`agen.__anext__()` or `anext(agen)` (asend, athrow, aclose alike) whose awaitable is awaited or handed to
    an event loop: a generator driven one step at a time, as synchronous code pumps one through its own loop."""
    parent = parents.get(id(node))
    if isinstance(parent, ast.Attribute) and parent.attr in ASYNC_GENERATOR_STEPS:
        step = parents.get(id(parent))
        if not (isinstance(step, ast.Call) and step.func is parent):
            return False
    elif isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "anext" \
            and parent.args[:1] == [node]:
        step = parent
    else:
        return False
    holder = parents.get(id(step))
    return isinstance(holder, ast.Await) or (isinstance(holder, ast.Call) and _runs_async(holder, False, imports))


def _aliased_iterator(node: ast.Name, fn: ast.AST, parents, imports: dict[str, str]) -> bool:
    """`it = agen.__aiter__()`, and `it` consumed as the generator itself would have to be."""
    attribute = parents.get(id(node))
    call = parents.get(id(attribute))
    assign = parents.get(id(call))
    return isinstance(attribute, ast.Attribute) and attribute.attr == "__aiter__" and isinstance(call, ast.Call) \
        and isinstance(assign, ast.Assign) and len(assign.targets) == 1 and isinstance(assign.targets[0], ast.Name) \
        and _only_consumed_async(assign.targets[0].id, fn, parents, True, imports)


def _only_consumed_async(name: str, fn: ast.AST, parents, generator: bool, imports: dict[str, str]) -> bool:
    """Every later read of `name` in the function is awaited (coroutine) or async-iterated or stepped
    (generator)."""
    for node in _own_nodes(fn):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            parent = parents.get(id(node))
            if generator and not (_async_iterated(node, parents) or _stepped(node, parents, imports)
                                  or _aliased_iterator(node, fn, parents, imports)):
                return False
            if not generator and not isinstance(parent, ast.Await):
                return False
    return True


def _async_closure(tree: ast.Module) -> list[str]:
    parents = _parents(tree)
    imports = _imports(tree)
    # A decorator decides what calling the function gives (@asynccontextmanager: an async context manager); only
    # tracing's keeps it a coroutine function or an async generator.
    async_defs: dict[str, bool] = {n.name: _is_generator(n) for n in tree.body if isinstance(n, ast.AsyncFunctionDef)
                                   and all(_traces(d) for d in n.decorator_list)}
    async_defs |= {local: ADAPTER_ASYNC[qualified.rsplit(".", 1)[1]] for local, qualified in imports.items()
                   if qualified.rsplit(".", 1)[0] == ADAPTERS and qualified.rsplit(".", 1)[1] in ADAPTER_ASYNC}
    generators = {name for name, generator in async_defs.items() if generator}
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in async_defs and isinstance(node.ctx, ast.Load):
            problems += _async_use(node, node.id in generators, parents, imports)
        if isinstance(node, ast.Call):
            for arg in [*node.args, *[k.value for k in node.keywords]]:
                if isinstance(arg, ast.GeneratorExp) and _is_async_generator_expression(arg):
                    callee = _dotted(node.func) or "a call"
                    if callee not in ASYNC_ITERABLE_CONSUMERS and callee not in async_defs:
                        problems.append(f"line {node.lineno}: an async generator expression is passed to "
                                        f"{callee}(), which iterates synchronously")
    problems += _async_clients_in_sync_code(tree, parents)
    problems += _stream_close_unawaited(tree, parents)
    return problems


def _stream_close_unawaited(tree: ast.Module, parents) -> list[str]:
    """In an async def, `s = await <call>(..., stream=...)` is an async stream, whose close() is a coroutine."""
    problems = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.AsyncFunctionDef):
            continue
        streams = {target.id for node in _own_nodes(fn) if isinstance(node, ast.Assign)
                   and isinstance(node.value, ast.Await) and isinstance(node.value.value, ast.Call)
                   and any(k.arg == "stream" for k in node.value.value.keywords)
                   for target in node.targets if isinstance(target, ast.Name)}
        for node in _own_nodes(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "close" \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in streams \
                    and not isinstance(parents.get(id(node)), ast.Await):
                problems.append(f"line {node.lineno}: {node.func.value.id}.close() closes an async stream only "
                                "when awaited")
    return problems


def _traces(decorator: ast.expr) -> bool:
    name = _dotted(decorator.func if isinstance(decorator, ast.Call) else decorator) or ""
    return name in ("trace", "mlflow.trace")


def _is_async_generator_expression(gen: ast.GeneratorExp) -> bool:
    return any(c.is_async for c in gen.generators) or any(isinstance(n, ast.Await) for n in ast.walk(gen))


def _runs_async(call: ast.Call, generator: bool, imports: dict[str, str]) -> bool:
    """A call that takes the async value itself: asyncio's runners and gatherers for a coroutine, the
    adapters that drain an async iterable."""
    if generator:
        return _dotted(call.func) in ASYNC_ITERABLE_CONSUMERS
    name = _qualified(call.func, imports) or ""
    return name.startswith("asyncio.") or name.rsplit(".", 1)[-1] in COROUTINE_RUNNERS


def _async_use(name: ast.Name, generator: bool, parents, imports: dict[str, str]) -> list[str]:
    call = parents.get(id(name))
    what = "async generator" if generator else "coroutine function"
    if not (isinstance(call, ast.Call) and call.func is name):
        if isinstance(call, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return []  # a decorator argument is not a use of the value
        return [f"line {name.lineno}: {name.id} ({what}) is used as a value, where synchronous code may call it"]
    fn = _enclosing_function(call, parents)
    if generator and _async_iterated(call, parents):
        return []
    if not generator and isinstance(parents.get(id(call)), ast.Await):
        return []
    holder_call = parents.get(id(call))
    if isinstance(holder_call, ast.Call) and _runs_async(holder_call, generator, imports):
        return []
    holder = parents.get(id(call))
    if isinstance(holder, ast.Assign) and len(holder.targets) == 1 and isinstance(holder.targets[0], ast.Name) \
            and fn is not None and _only_consumed_async(holder.targets[0].id, fn, parents, generator, imports):
        return []
    way = "async for" if generator else "await"
    return [f"line {call.lineno}: {name.id}() ({what}) is called without {way}"]


def _async_clients_in_sync_code(tree: ast.Module, parents) -> list[str]:
    clients = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            callee = (_dotted(stmt.value.func) or "").rsplit(".", 1)[-1]
            if callee.startswith("Async") and callee[5:6].isupper():
                clients |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and (_dotted(node.func) or "").split(".")[0] in clients:
            fn = _enclosing_function(node, parents)
            if isinstance(fn, (ast.FunctionDef, ast.Lambda)):
                problems.append(f"line {node.lineno}: the async client {_dotted(node.func)}() is called from "
                                f"synchronous code")
    return problems
