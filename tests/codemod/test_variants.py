"""Every fixture, varied mechanically the way real agent files vary, still migrates to an output that passes
the self-check: the class renamed, the base class imported under an alias, the instance built
under `try`, set_model() inside `try/finally`, a smoke call under `if __name__ == "__main__"`, and a
helper override of the base class's create_text_output_item."""

import re

import pytest

from test_agent_file import CASES, NAMES, artifacts_of, header
from test_async_codemod import ASYNC_CASES, ASYNC_NAMES

from serving2apps.codemod.agent_file import _blocking_messages, migrate_agent_source
from serving2apps.codemod.self_check import check_output

SET_MODEL = re.compile(r"^(?P<call>(?:mlflow\.models\.)?set_model)\((?P<arg>.*)\)$", re.MULTILINE)
INSTANCE = re.compile(r"^(?P<name>[A-Z_]+) = (?P<value>[A-Za-z_]+\(.*\))$", re.MULTILINE)
AGENT_CLASS = re.compile(r"^class (?P<name>\w+)\((?P<base>[\w.]*ResponsesAgent)\):\n", re.MULTILINE)
OVERRIDE = (
    "    def create_text_output_item(self, text: str, id: str) -> dict:\n"
    "        return {'id': id, 'type': 'message', 'role': 'assistant',\n"
    "                'content': [{'type': 'output_text', 'text': text, 'annotations': []}]}\n\n"
)


def renamed(source: str) -> str:
    for match in AGENT_CLASS.finditer(source):
        source = re.sub(rf"\b{match['name']}\b", f"{match['name']}Renamed", source)
    return source


def aliased(source: str) -> str:
    if "from mlflow.pyfunc import ResponsesAgent\n" not in source:
        return source
    source = source.replace("from mlflow.pyfunc import ResponsesAgent\n", "from mlflow.pyfunc import ResponsesAgent as BaseAgent\n")
    return re.sub(r"\(ResponsesAgent\)", "(BaseAgent)", source)


def instance_under_try(source: str) -> str:
    return INSTANCE.sub(lambda m: f"try:\n    {m['name']} = {m['value']}\nexcept Exception:\n    raise\n", source)


def set_model_in_try_finally(source: str) -> str:
    return SET_MODEL.sub(lambda m: f"try:\n    READY = True\nfinally:\n    {m['call']}({m['arg']})", source)


def smoke_call(source: str) -> str:
    match = SET_MODEL.search(source)
    if match is None or not re.fullmatch(r"[A-Z_]+", match["arg"]):
        return source
    return source + f"\n\nif __name__ == \"__main__\":\n    print({match['arg']}.predict)\n"


def helper_override(source: str) -> str:
    return AGENT_CLASS.sub(lambda m: m.group(0) + OVERRIDE, source, count=1)


def both(first, second):
    """Two variants at once: every fixture × six variants one by one cost the suite minutes; in pairs that
    touch different parts of the file (names; the statements around the instance; extra uses of the class and
    instance) each variant still reaches every fixture it applies to."""
    def variant(source: str) -> str:
        return second(first(source))
    variant.__name__ = f"{first.__name__}+{second.__name__}"
    return variant


VARIANTS = [both(renamed, aliased), both(instance_under_try, set_model_in_try_finally),
            both(smoke_call, helper_override)]
FIXTURES = [(CASES, n) for n in NAMES] + [(ASYNC_CASES, n) for n in ASYNC_NAMES]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.__name__)
@pytest.mark.parametrize("folder, name", FIXTURES, ids=[n for _, n in FIXTURES])
def test_every_variant_passes_the_self_check(folder, name, variant):
    original = (folder / f"{name}.in.py").read_text()
    if header(original, "expect").startswith("refused"):
        pytest.skip("a refused input stays refused")
    source = variant(original)
    if source == original:
        pytest.skip(f"{variant.__name__} does not apply to this fixture")
    # Async-mode fixtures in async mode, the others in sync mode (test_sync_cases_in_async_mode and the async
    # fixtures' goldens cover the other forms unvaried).
    for mode in ("async",) if folder == ASYNC_CASES else ("sync",):
        result = migrate_agent_source(source, "agent.py", artifacts_of(original), header(original, "model_config"),
                                      mode=mode)
        check = check_output(source, result.code, _blocking_messages)
        assert check.ok, (mode, check.problems)
