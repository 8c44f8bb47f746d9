"""A private library shipped inside the model as a wheel reaches the app: Databricks' way (`code_paths=[wheel]` with
the requirement `code/<wheel>`) and MLflow's add_libraries_to_model (every requirement a wheel under wheels/, the
author's lines kept in original_requirements.txt). The app installs it from its own wheels/ folder, and uv locks it
(reading the wheel, building nothing)."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

import tomlkit

from example import original_model
from serving2apps.cli import main

WHEEL = "private_greeting-0.1-py3-none-any.whl"


def build_wheel(folder: Path) -> Path:
    """A real, installable wheel written by hand (no build backend, no index)."""
    files = {
        "private_greeting/__init__.py": b"def greet(name):\n    return f'hello {name}'\n",
        "private_greeting-0.1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: private-greeting\nVersion: 0.1\n",
        "private_greeting-0.1.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
                                                b"Tag: py3-none-any\n",
    }
    record = [f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
              f"{len(data)}" for name, data in files.items()]
    files["private_greeting-0.1.dist-info/RECORD"] = ("\n".join(record + ["private_greeting-0.1.dist-info/RECORD,,"])
                                                      + "\n").encode()
    path = folder / WHEEL
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def report_codes(example_app: Path) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for finding in json.loads((example_app / ".serving2apps" / "report.json").read_text())["findings"]:
        codes.setdefault(finding["code"], []).append(finding["message"])
    return codes


def test_a_wheel_under_code_is_installed_from_the_app_and_locked(example_app):
    wheel = build_wheel(original_model(example_app) / "code")
    requirements = original_model(example_app) / "requirements.txt"
    requirements.write_text(requirements.read_text() + f"\ncode/{WHEEL}\n")
    assert main(["migrate", "--app-dir", str(example_app), "--force"]) in (0, 1)
    assert (example_app / "wheels" / WHEEL).read_bytes() == wheel.read_bytes()
    assert not (example_app / "agent_server" / WHEEL).exists()  # not carried inside the agent's package as well
    pyproject = tomlkit.parse((example_app / "pyproject.toml").read_text())
    assert "private-greeting==0.1" in pyproject["project"]["dependencies"]
    assert pyproject["tool"]["uv"]["sources"]["private-greeting"]["path"] == f"wheels/{WHEEL}"
    assert f"code/{WHEEL}" in report_codes(example_app)["S2A306"][0]
    # uv read the wheel from the app's folder: the lock names it there, and agrees with the app as it is.
    assert f'path = "wheels/{WHEEL}"' in (example_app / "uv.lock").read_text()
    check = subprocess.run(["uv", "lock", "--check", "--offline", "--directory", str(example_app)], capture_output=True,
                           text=True, timeout=300)
    assert check.returncode == 0, check.stderr


def test_a_model_turned_into_wheels_installs_from_the_index_and_ships_only_its_own(example_app):
    """add_libraries_to_model replaced every line by a wheel of it; the app takes the author's lines, so packages
    come from the index for the app's platform, and the private wheel (named by the notebook's path) from wheels/."""
    build_wheel(original_model(example_app) / "wheels")
    original = original_model(example_app) / "requirements.txt"
    (original_model(example_app) / "original_requirements.txt").write_text(
        original.read_text() + f"\n/Volumes/main/default/libs/{WHEEL}\n")
    original.write_text(f"wheels/mlflow-3.17.2-py3-none-any.whl\nwheels/{WHEEL}\n")
    assert main(["migrate", "--app-dir", str(example_app), "--force", "--no-lock"]) in (0, 1)
    wheels = example_app / "wheels"
    assert (wheels / WHEEL).is_file() and not (wheels / "mlflow-3.17.2-py3-none-any.whl").exists()
    pyproject = tomlkit.parse((example_app / "pyproject.toml").read_text())
    assert list(pyproject["tool"]["uv"]["sources"]) == ["private-greeting"]
    assert not any(str(d).startswith("wheels/") for d in pyproject["project"]["dependencies"])


def test_a_wheel_the_model_does_not_hold_is_for_review(example_app):
    requirements = original_model(example_app) / "requirements.txt"
    requirements.write_text(requirements.read_text() + f"\n/Volumes/main/default/libs/{WHEEL}\n")
    assert main(["migrate", "--app-dir", str(example_app), "--force", "--no-lock"]) == 1
    assert WHEEL in report_codes(example_app)["S2A307"][0]
    assert not (example_app / "wheels").exists()
    assert "private-greeting" not in (example_app / "pyproject.toml").read_text()
