"""The codemod's rules and their codes: one registry (findings.CODES), each code declared by the module whose
rule reports it, no code string that the registry does not know."""

import importlib
import pkgutil
import re
from pathlib import Path

import serving2apps.codemod
from serving2apps.codemod.findings import CODES

CODE = re.compile(r'"(S2A\d{3})"')
# Reported by the migration step that copies code/ modules and the input example, not by a codemod module
# (tests/test_migrate.py).
MIGRATE_STEP = {"S2A141", "S2A150", "S2A152"}


def rule_modules() -> dict[str, tuple[str, ...]]:
    declared = {}
    for info in pkgutil.iter_modules(serving2apps.codemod.__path__):
        module = importlib.import_module(f"serving2apps.codemod.{info.name}")
        if info.name != "findings" and hasattr(module, "CODES"):
            declared[info.name] = tuple(module.CODES)
    return declared


def source(name: str) -> str:
    return (Path(serving2apps.codemod.__file__).parent / f"{name}.py").read_text()


def test_every_codemod_code_is_declared_by_a_rule_module():
    declared = set().union(*rule_modules().values())
    codemod_codes = {c for c in CODES if c.startswith("S2A1")}
    assert sorted(codemod_codes - declared - MIGRATE_STEP) == []
    assert sorted(declared - set(CODES)) == []


def test_a_module_reports_the_codes_it_declares_and_only_registered_ones():
    declared = rule_modules()
    everything = set().union(*declared.values())
    for name, codes in declared.items():
        text = source(name)
        body = text.replace(re.search(r"^CODES = .*$", text, re.MULTILINE).group(0), "")
        used = set(CODE.findall(body))
        assert sorted(set(codes) - used) == [], f"{name} declares codes it never reports"
        assert sorted(used - everything) == [], f"{name} reports codes no rule module declares"


def test_modules_without_a_declaration_name_no_code():
    declared = rule_modules()
    for info in pkgutil.iter_modules(serving2apps.codemod.__path__):
        if info.name not in declared and info.name != "findings":
            assert CODE.findall(source(info.name)) == [], info.name
