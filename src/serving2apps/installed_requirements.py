"""Does an interpreter have what requirement lines ask for?

Run in this process (verify: can this Python serve the app?) or as a script under another interpreter (the app's
own, for the original model): it imports only the standard library and packaging, which every interpreter that
installs requirements has. One level of extras is followed.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata

from packaging.requirements import Requirement


def unmet(lines: list[str], versions: bool = True) -> str | None:
    """The first requirement this interpreter does not satisfy, as a sentence, or None. Without `versions`, only
    whether each package is installed at all."""
    return next(filter(None, (_unmet(Requirement(line), versions) for line in lines)), None)


def _unmet(requirement: Requirement, versions: bool, extra: str = "", depth: int = 0) -> str | None:
    if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
        return None
    try:
        version = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        return f"{requirement.name} is not installed"
    if not versions:
        return None
    if not requirement.specifier.contains(version, prereleases=True):
        return f"{requirement.name} {version} is installed, the model needs {requirement.specifier}"
    for name in requirement.extras if depth < 2 else ():
        for line in metadata.requires(requirement.name) or []:
            if problem := _unmet(Requirement(line), versions, name, depth + 1):
                return problem
    return None


if __name__ == "__main__":
    # argv[1]: JSON [lines, "3.11" or null]; prints the JSON of the first problem, or null.
    wanted, python = json.loads(sys.argv[1])
    running = "%d.%d" % sys.version_info[:2]
    if python and running != python:
        print(json.dumps(f"the app runs Python {running}, the model Python {python}"))
    else:
        print(json.dumps(unmet(wanted)))
