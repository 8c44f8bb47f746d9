"""The questions: the bundle init schema obeys the CLI's rules, and copier.yml asks the same questions."""

import re

import pytest
import yaml

from engines import REPO_ROOT
from serving2apps.template_schema import TemplateSchema

SCHEMA = TemplateSchema.load(REPO_ROOT)
COPIER = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
COPIER_QUESTIONS = {k: v for k, v in COPIER.items() if not k.startswith("_")}
COPIER_TYPES = {"string": "str", "boolean": "bool", "integer": "int", "number": "float"}
# The copier validators spell the schema's pattern check as: not (x | go_regexp_match('PATTERN'))
VALIDATOR = re.compile(r"not \((\w+) \| go_regexp_match\('([^']*)'\)\) %\}(.*?)\{%")


def test_only_types_the_cli_accepts():
    for q in SCHEMA.questions:
        assert q.type in {"string", "integer", "number", "boolean"}, q.name
        # The Go subset prints values with {{.x}}; only strings print the same in Go and Jinja.
        assert q.type == "string", q.name


def test_every_property_has_a_description_and_an_order():
    orders = [q.order for q in SCHEMA.questions]
    assert all(q.description.strip() for q in SCHEMA.questions)
    assert all(isinstance(o, int) for o in orders) and len(set(orders)) == len(orders)


def test_question_order_is_the_seeds():
    assert [q.name for q in SCHEMA.questions] == ["app_name", "endpoint_name", "profile", "async_mode"]


def test_defaults_satisfy_their_own_rules():
    for q in SCHEMA.questions:
        if q.default is not None:
            assert q.problem(q.default) is None, q.name


def test_patterns_are_anchored_because_the_cli_matches_unanchored():
    for q in SCHEMA.questions:
        if q.pattern:
            assert q.pattern.startswith("^") and q.pattern.endswith("$"), q.name
            assert q.pattern_message, f"{q.name}: a pattern needs a pattern_match_failure_message"


def test_no_keys_the_cli_mishandles():
    for name, spec in SCHEMA.raw["properties"].items():
        assert "format" not in spec, f"{name}: any format but warehouse_path silently yields an empty value"
        assert "skip_prompt_if" not in spec or "default" in spec, name
    assert "version" not in SCHEMA.raw or SCHEMA.raw["version"] <= 1
    assert "template_dir" not in SCHEMA.raw, "needs a newer CLI than min_databricks_cli_version"


def test_min_cli_version_covers_the_app_resources_we_emit():
    # v0.294.0: first CLI with the `postgres` app resource (Lakebase autoscaling); `app` arrived in v0.290.0,
    # experiment and uc_securable TABLE/FUNCTION/CONNECTION in v0.283.0.
    assert re.fullmatch(r"v\d+\.\d+\.\d+", SCHEMA.raw["min_databricks_cli_version"])
    assert SCHEMA.raw["min_databricks_cli_version"] == "v0.294.0"


def test_welcome_message_uses_no_answers():
    # It is printed before the questions, when only --config-file values exist.
    assert "{{." not in SCHEMA.raw["welcome_message"]


def test_success_message_names_the_next_command():
    assert "serving2apps migrate" in SCHEMA.raw["success_message"]
    assert "uvx --from" in SCHEMA.raw["success_message"]  # for a user who has only the CLI


@pytest.mark.parametrize(
    "name, ok",
    [
        ("my-agent", True),
        ("a1", True),
        ("agent-2-prod", True),
        ("0agent", True),
        ("x" * 30, True),
        ("x" * 31, False),
        ("a", False),
        ("", False),
        ("My-Agent", False),
        ("my_agent", False),
        ("my agent", False),
        ("-agent", False),
        ("agent-", False),
        ("agent.1", False),
        ("agënt", False),
        ("agent\n", False),
    ],
)
def test_app_name_pattern(name, ok):
    assert (SCHEMA.question("app_name").problem(name) is None) is ok


def test_copier_asks_the_same_questions():
    assert list(COPIER_QUESTIONS) == [q.name for q in SCHEMA.questions]
    for q in SCHEMA.questions:
        spec = COPIER_QUESTIONS[q.name]
        assert spec["type"] == COPIER_TYPES[q.type], q.name
        assert spec.get("default") == q.default, q.name
        assert (tuple(spec["choices"]) if "choices" in spec else None) == q.enum, q.name
        assert spec["help"] == q.description, q.name
        validator = VALIDATOR.search(spec.get("validator", ""))
        if q.pattern is None:
            assert validator is None, q.name
            continue
        assert validator, f"{q.name}: copier.yml has no validator for the schema's pattern"
        var, pattern, message = validator.groups()
        assert var == q.name and pattern == q.pattern
        assert message == f'invalid value for {q.name}: "{{{{ {q.name} }}}}". {q.pattern_message}'


def test_copier_tasks_gate_the_download_to_copy():
    pre, post = COPIER["_tasks"]
    assert "hooks/pre_gen.py" in pre["command"][1] and pre["when"] == "{{ _copier_operation == 'copy' }}"
    assert "hooks/post_gen.py" in post["command"][1] and "when" not in post
