"""The scaffold's helper modules the migrated agent imports (agent_server/adapters.py, http_clients.py, ...).

Each name the agent imports must be defined in the app's copy: an app rendered from an older template lacks the
newer helpers, and its agent would fail at start, so migrate refuses with the update to run instead. Some helpers
also need a package the app does not otherwise depend on; those requirements are returned for pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from libcst.helpers import get_full_name_for_node

from serving2apps.codemod.node_search import find_all
from serving2apps.errors import MigrationError

UPDATE_SCAFFOLD = ("update the scaffold first: `copier update --trust --defaults` in the app's folder (an app made "
                   "with copier), or render a new app with this serving2apps")
# helper module → what it needs installed (the aiohttp transport of openai's async client).
REQUIREMENTS = {"http_clients": ("httpx-aiohttp>=0.1.9",)}


def _imports(code: str, package: str, helpers: set[str]) -> dict[str, set[str]]:
    # libcst, not ast: the agent may use syntax newer than the Python serving2apps runs on.
    found: dict[str, set[str]] = {}
    for node in find_all(cst.parse_module(code), cst.ImportFrom):
        module = get_full_name_for_node(node.module) if node.module is not None else None
        if module and module.startswith(package + ".") and module.split(".", 1)[1] in helpers \
                and not isinstance(node.names, cst.ImportStar):
            found.setdefault(module.split(".", 1)[1], set()).update(
                str(get_full_name_for_node(alias.name)) for alias in node.names)
    return found


def _defined(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    names = set()
    for statement in cst.parse_module(path.read_text(errors="replace")).body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
                    [small.target] if isinstance(small, cst.AnnAssign) else []
                names.update(t.value for t in targets if isinstance(t, cst.Name))
    return names


def helper_requirements(codes: list[str], app_dir: Path, package: str, helpers: set[str]) -> list[str]:
    """The requirements of the helpers the modules in `codes` import, once each is known to be in the app (else
    refused)."""
    imported: dict[str, set[str]] = {}
    for code in codes:
        for module, names in _imports(code, package, helpers).items():
            imported.setdefault(module, set()).update(names)
    needed: list[str] = []
    for module, names in sorted(imported.items()):
        missing = sorted(names - _defined(app_dir / package / f"{module}.py"))
        if missing:
            raise MigrationError(
                f"the migrated agent uses {', '.join(missing)} from {package}/{module}.py, which this app's scaffold "
                "does not have (it was rendered from an older template)", UPDATE_SCAFFOLD)
        needed += REQUIREMENTS.get(module, ())
    return needed
