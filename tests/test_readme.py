"""README's two commands are the ones CI and newcomers run."""

import re

from engines import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()
COMMANDS = re.search(r"## Two commands.*?```bash\n(.*?)```", README, re.DOTALL).group(1)
LINES = [line for line in COMMANDS.splitlines() if line and not line.startswith("#")]


def test_readme_has_two_commands():
    assert len(LINES) == 2


def test_ci_runs_exactly_the_readme_test_command():
    ci = (REPO_ROOT / ".ci" / "run").read_text().splitlines()
    assert LINES[1] in ci


def test_every_report_code_is_documented():
    from serving2apps.codemod.findings import CODES

    for code, (kind, _) in CODES.items():
        assert f"| {code} | {kind} |" in README, code
