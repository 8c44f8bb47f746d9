"""Before/after fixtures for the agent-file codemod (cases/*.in.py → cases/*.out.py).

Each case's first lines say what to expect: `# expect: STRATEGY CODE...` and optionally
`# artifacts: key=path,...` and `# model_config: FILE` (the model had an inlined model_config). Every case also checks that the output parses, that a second run changes
nothing, and that pyflakes finds no undefined name that the input did not already have.
Regenerate the outputs with SERVING2APPS_UPDATE_GOLDENS=1, then read every diff before committing.
"""

import ast
import os
import re
from pathlib import Path

import libcst as cst
import pytest
from pyflakes.api import check
from pyflakes.messages import UndefinedName
from pyflakes.reporter import Reporter

from serving2apps.codemod.agent_file import migrate_agent_source
from serving2apps.errors import MigrationError

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.name[: -len(".in.py")] for p in CASES.glob("*.in.py"))


def header(source: str, key: str) -> str | None:
    match = re.search(rf"^# {key}: (.*)$", source, re.MULTILINE)
    return match.group(1).strip() if match else None


def artifacts_of(source: str) -> dict[str, str]:
    spec = header(source, "artifacts")
    return dict(item.split("=", 1) for item in spec.split(",")) if spec else {}


class _Collect(Reporter):
    def __init__(self):
        self.messages = []

    def flake(self, message):
        self.messages.append(message)

    def unexpectedError(self, filename, msg):
        raise AssertionError(msg)

    def syntaxError(self, *args):
        raise AssertionError(args)


def undefined_names(source: str) -> set[str]:
    reporter = _Collect()
    check(source, "agent.py", reporter)
    return {m.message_args[0] for m in reporter.messages if isinstance(m, UndefinedName)}


def python311_can_parse(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def check_refused(before: str, expected_codes: list[str], mode: str = "sync") -> None:
    with pytest.raises(MigrationError) as refused:
        migrate_agent_source(before, "agent.py", artifacts_of(before), header(before, "model_config"), mode=mode)
    assert [refused.value.code] == expected_codes
    assert refused.value.fix


@pytest.mark.parametrize("name", NAMES)
def test_case(name):
    before = (CASES / f"{name}.in.py").read_text()
    expected_strategy, *expected_codes = header(before, "expect").split()
    config = header(before, "model_config")
    if expected_strategy == "refused":
        assert not (CASES / f"{name}.out.py").exists()
        return check_refused(before, expected_codes)
    result = migrate_agent_source(before, "agent.py", artifacts_of(before), config)
    golden = CASES / f"{name}.out.py"
    if os.environ.get("SERVING2APPS_UPDATE_GOLDENS"):
        golden.write_text(result.code)
    assert result.code == golden.read_text()
    assert result.strategy == expected_strategy
    assert sorted({f.code for f in result.findings}) == sorted(expected_codes)

    cst.parse_module(result.code)
    again = migrate_agent_source(result.code, "agent.py", artifacts_of(before), config)
    assert again.code == result.code and again.strategy == "unchanged"
    if python311_can_parse(before):  # pyflakes reads with this interpreter's ast
        assert undefined_names(result.code) <= undefined_names(before)


def test_there_are_enough_cases():
    assert len(NAMES) >= 30


def test_a_strategy_whose_output_fails_the_self_check_is_not_used(monkeypatch):
    """The ladder, whatever the transformer bug: a functions output that refers to `self` is caught, reported
    (S2A180, with the problem) and replaced by the kept class, which answers."""
    import serving2apps.codemod.agent_file as agent_file

    real = agent_file.to_functions

    def broken(*args, **kwargs):
        module, entries = real(*args, **kwargs)
        return cst.parse_module(module.code.replace('text="42"', "text=self.greeting")), entries

    monkeypatch.setattr(agent_file, "to_functions", broken)
    before = (CASES / "predict_only.in.py").read_text()
    assert 'text="42"' in before
    for mode in ("sync", "async"):
        result = migrate_agent_source(before, "agent.py", mode=mode)
        assert result.strategy == "adapter"
        failed = [f for f in result.findings if f.code == "S2A180"]
        assert failed and all("self is used but no longer defined" in f.message for f in failed)
        assert "self.greeting" not in result.code


def test_every_codemod_rule_has_a_fixture():
    """Each code the agent-file codemod reports, and each refusal, is expected by at least one fixture."""
    from serving2apps.codemod.findings import CODES

    from test_async_codemod import ASYNC_CASES

    expected = set()
    for path in [*CASES.glob("*.in.py"), *ASYNC_CASES.glob("*.in.py")]:
        expected |= set(header(path.read_text(), "expect").split()[1:])
    # Reported by other steps, each with its own tests: code/ imports and the input example (test_migrate), a
    # codemod bug (S2A179, test_the_blocking_call_check_finds_what_was_left), a failed strategy (the test above).
    elsewhere = {"S2A141", "S2A150", "S2A151", "S2A152", "S2A179", "S2A180"}
    codemod = {c for c in CODES if c.startswith("S2A1")}
    assert sorted(codemod - elsewhere - expected) == []


@pytest.mark.parametrize("name", ["request_mutation", "del_attribute", "lazy_state"])
def test_findings_name_lines_of_the_migrated_file_and_of_the_original(name):
    before = (CASES / f"{name}.in.py").read_text()
    result = migrate_agent_source(before, "agent.py")
    after_lines, before_lines = result.code.splitlines(), before.splitlines()
    # (S2A100 names the class, which became the functions: its line is where they start.)
    placed = [f for f in result.findings if f.line and f.code != "S2A100"]
    assert placed
    for finding in placed:
        original = finding.original_line or finding.line
        # The line named in the migrated file is the original line, moved (and dedented when a method became
        # a function); `self.` is gone where the class dissolved.
        assert after_lines[finding.line - 1].strip() in (before_lines[original - 1].strip(),
                                                          before_lines[original - 1].strip().replace("self.", ""))



def test_a_moved_finding_names_both_lines():
    result = migrate_agent_source((CASES / "del_attribute.in.py").read_text(), "agent.py")
    assert [(f.line, f.original_line) for f in result.findings if f.code == "S2A130"] == [(11, 13), (12, 14)]


def test_every_reason_to_keep_the_class_has_a_fixture():
    from serving2apps.codemod.blockers import BLOCKERS

    messages = []
    for name in NAMES:
        before = (CASES / f"{name}.in.py").read_text()
        if header(before, "expect").startswith("adapter"):
            result = migrate_agent_source(before, "agent.py", artifacts_of(before), header(before, "model_config"))
            messages += [f.message for f in result.findings if f.code == "S2A101"]
    for key, template in BLOCKERS.items():
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{\w+\\\}", ".+", pattern)
        assert any(re.search(pattern, m) for m in messages), key


def test_a_shared_object_changed_in_place_is_a_hazard():
    """`self.history.append(x)` and `self.seen[k] = v` change what every request shares, as `self.x = v` does, and
    so does `add` on a set the class built; reading (count, get, items), building the
    object in __init__ and a store client's `add` do not."""
    result = migrate_agent_source((CASES / "state_changed_in_place.in.py").read_text(), "agent.py")
    assert [f.message for f in result.findings if f.code == "S2A130"] == [
        "_remember changes self.history in place (append), shared by every request",
        "_remember changes self.seen in place (item assigned), shared by every request",
        "_remember changes self.settings in place (item assigned), shared by every request",
        "_remember changes self.greeted in place (add), shared by every request",
        "predict changes self.seen in place (item deleted), shared by every request",
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_set_model_inside_a_function_serves_the_object_as_it_is(mode):
    """`def main(): set_model(Agent())` then `main()`: the strategies that remove the call would remove main with it,
    which the module still calls; the object is served as it is, without their failed outputs to review (S2A180)."""
    source = (
        "import mlflow\n"
        "from mlflow.pyfunc import ResponsesAgent\n"
        "from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse\n\n\n"
        "class A(ResponsesAgent):\n"
        "    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n"
        "        return ResponsesAgentResponse(output=[self.create_text_output_item(text='x', id='m')])\n\n\n"
        "def main():\n"
        "    mlflow.models.set_model(A())\n\n\n"
        "main()\n"
    )
    result = migrate_agent_source(source, "agent.py", mode=mode)
    assert result.strategy == "instance"
    assert "S2A180" not in [f.code for f in result.findings]
    assert "inside its function main" in next(f.message for f in result.findings if f.code == "S2A101")


def test_a_set_in_the_class_body_changed_per_request_is_a_hazard():
    """A set built in the class body is one object every request shares: discard() changes it."""
    source = (
        "import mlflow\n"
        "from mlflow.pyfunc import ResponsesAgent\n"
        "from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse\n\n\n"
        "class A(ResponsesAgent):\n"
        "    pending = {'greeting'}\n\n"
        "    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n"
        "        self.pending.discard(request.input[-1].content)\n"
        "        return ResponsesAgentResponse(output=[self.create_text_output_item(text='x', id='m')])\n\n\n"
        "mlflow.models.set_model(A())\n"
    )
    result = migrate_agent_source(source, "agent.py")
    assert [f.message for f in result.findings if f.code == "S2A130"] == [
        "predict changes self.pending in place (discard), shared by every request"]


def test_state_a_set_up_helper_writes_is_no_hazard():
    """`self._setup()` called from __init__ alone runs once, before any request: its writes are set-up. A helper
    that predict calls too writes per request."""
    source = (
        "import mlflow\n"
        "from mlflow.pyfunc import ResponsesAgent\n"
        "from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse\n\n\n"
        "class A(ResponsesAgent):\n"
        "    def __init__(self):\n"
        "        self._setup()\n"
        "        self._reset()\n\n"
        "    def _setup(self):\n"
        "        self.prefix = 'p'\n"
        "        self._tables()\n\n"
        "    def _tables(self):\n"
        "        self.table = {}\n\n"
        "    def _reset(self):\n"
        "        self.count = 0\n\n"
        "    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n"
        "        self._reset()\n"
        "        return ResponsesAgentResponse(output=[self.create_text_output_item(text=self.prefix, id='m')])\n\n\n"
        "mlflow.models.set_model(A())\n"
    )
    result = migrate_agent_source(source, "agent.py")
    assert [f.message for f in result.findings if f.code == "S2A130"] == [
        "_reset writes self.count, shared by every request"]


def test_a_users_client_kept_on_the_agent_is_named_as_such():
    """Kept on self, the client built for one user's request serves the next user's: S2A130 says so."""
    source = (
        "import mlflow\n"
        "from databricks.sdk import WorkspaceClient\n"
        "from databricks_ai_bridge import ModelServingUserCredentials\n"
        "from mlflow.pyfunc import ResponsesAgent\n"
        "from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse\n\n\n"
        "class A(ResponsesAgent):\n"
        "    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:\n"
        "        self.user = WorkspaceClient(credentials_strategy=ModelServingUserCredentials())\n"
        "        self.turns = 1\n"
        "        text = self.user.current_user.me().user_name\n"
        "        return ResponsesAgentResponse(output=[self.create_text_output_item(text=text, id='m')])\n\n\n"
        "mlflow.models.set_model(A())\n"
    )
    result = migrate_agent_source(source, "agent.py")
    assert [f.message for f in result.findings if f.code == "S2A130"] == [
        "predict writes self.user, shared by every request: it holds a client acting as the user who sent the "
        "request, which the next request, another user's, would use",
        "predict writes self.turns, shared by every request"]


def test_the_modules_own_objects_changed_per_request_are_named():
    """Module state is per-process state as self.x is: a global rebound, a module dict changed in place (by a
    function of the module that a request calls), each named with its function; a local of the same name, a
    cached property's once-only write and a function only set-up calls are not the module's state changing."""
    result = migrate_agent_source((CASES / "module_state_changed.in.py").read_text(), "agent.py")
    assert [(f.message, f.original_line or f.line) for f in result.findings if f.code == "S2A130"] == [
        ("predict rebinds the module's CALLS, shared by every request (and not by the app's other worker "
         "processes)", 38),
        ("remember changes the module's HISTORY in place (setdefault), shared by every request (and not by the "
         "app's other worker processes)", 16),
        ("remember changes the module's THREADS in place (add), shared by every request (and not by the app's "
         "other worker processes)", 17)]


def test_shared_state_changed_through_a_local_is_named():
    """`history = SESSIONS[thread]; history.append(m)` changes SESSIONS as `SESSIONS[thread].append(m)` does (both
    named), and so for an item reached with get() or an attribute of self; a copy (a slice, list()) and the
    function's own list are not shared state."""
    result = migrate_agent_source((CASES / "state_changed_through_a_local.in.py").read_text(), "agent.py")
    shared = "shared by every request (and not by the app's other worker processes)"
    assert [(f.message, f.original_line or f.line) for f in result.findings if f.code == "S2A130"] == [
        ("predict changes self.turns in place (append, through mine), shared by every request", 35),
        (f"remember changes the module's CONFIG in place (item assigned, through settings), {shared}", 19),
        (f"remember changes the module's SESSIONS in place (append), {shared}", 13),
        (f"remember changes the module's SESSIONS in place (append, through history), {shared}", 15)]


@pytest.mark.parametrize("written", [
    pytest.param(lambda s: "\ufeff" + s, id="byte-order-mark"),  # what some editors on Windows save
    pytest.param(lambda s: s.replace("\n", "\r\n"), id="crlf"),
    pytest.param(lambda s: s.replace("    ", "\t"), id="tabs"),
])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_how_the_file_is_written_changes_nothing(written, mode):
    """The same agent, saved another way, migrates the same way and passes the self-check."""
    before = (CASES / "helpers_through_self.in.py").read_text()
    plain = migrate_agent_source(before, "agent.py", mode=mode)
    result = migrate_agent_source(written(before), "agent.py", mode=mode)
    assert (result.strategy, [f.code for f in result.findings]) == (plain.strategy, [f.code for f in plain.findings])
    assert ast.dump(ast.parse(result.code)) == ast.dump(ast.parse(plain.code))
