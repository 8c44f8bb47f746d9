"""The scaffold's helper modules the migrated agent imports (agent_server/adapters.py, http_clients.py, ...).

Each name the agent imports must be defined in the app's copy: an app rendered from an older template lacks the
newer helpers, and its agent would fail at start, so migrate refuses with the update to run instead. Some helpers
also need a package the app does not otherwise depend on; those requirements are returned for pyproject.toml.
"""

from __future__ import annotations

import ast
from pathlib import Path

from serving2apps.errors import MigrationError

UPDATE_SCAFFOLD = ("update the scaffold first: `copier update --trust --defaults` in the app's folder (an app made "
                   "with copier), or render a new app with this serving2apps")
# helper module → what it needs installed (the aiohttp transport of openai's async client).
REQUIREMENTS = {"http_clients": ("httpx-aiohttp>=0.1.9",)}


def _imports(code: str, package: str, helpers: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(package + "."):
            module = node.module.split(".", 1)[1]
            if module in helpers:
                found.setdefault(module, set()).update(alias.name for alias in node.names)
    return found


def _defined(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    names = set()
    for node in ast.parse(path.read_text(errors="replace")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def helper_requirements(code: str, app_dir: Path, package: str, helpers: set[str]) -> list[str]:
    """The requirements of the helpers `code` imports, once each is known to be in the app (else refused)."""
    needed: list[str] = []
    for module, names in sorted(_imports(code, package, helpers).items()):
        missing = sorted(names - _defined(app_dir / package / f"{module}.py"))
        if missing:
            raise MigrationError(
                f"the migrated agent uses {', '.join(missing)} from {package}/{module}.py, which this app's scaffold "
                "does not have (it was rendered from an older template)", UPDATE_SCAFFOLD)
        needed += REQUIREMENTS.get(module, ())
    return needed
