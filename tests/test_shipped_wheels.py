"""A private library shipped inside the model as a wheel reaches the app: Databricks' way (`code_paths=[wheel]` with
the requirement `code/<wheel>`) and MLflow's add_libraries_to_model (every requirement a wheel under wheels/, the
author's lines kept in original_requirements.txt). The app installs it from its own wheels/ folder, and uv locks it
(reading the wheel, building nothing)."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import tomlkit

from serving2apps.cli import main
from serving2apps.init import init

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


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    root = tmp_path_factory.mktemp("wheels")
    init(None, "app", root, example=True, engine="copier", log=lambda m: None)
    return root


@pytest.fixture
def app(pristine, tmp_path):
    shutil.copytree(pristine, tmp_path, dirs_exist_ok=True)
    return tmp_path / "app"


def model(app: Path) -> Path:
    return app.parent / "original_mlflow_model"


def report_codes(app: Path) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for finding in json.loads((app / ".serving2apps" / "report.json").read_text())["findings"]:
        codes.setdefault(finding["code"], []).append(finding["message"])
    return codes


def test_a_wheel_under_code_is_installed_from_the_app_and_locked(app):
    wheel = build_wheel(model(app) / "code")
    requirements = model(app) / "requirements.txt"
    requirements.write_text(requirements.read_text() + f"\ncode/{WHEEL}\n")
    assert main(["migrate", "--app-dir", str(app), "--force"]) in (0, 1)
    assert (app / "wheels" / WHEEL).read_bytes() == wheel.read_bytes()
    assert not (app / "agent_server" / WHEEL).exists()  # not carried inside the agent's package as well
    pyproject = tomlkit.parse((app / "pyproject.toml").read_text())
    assert "private-greeting==0.1" in pyproject["project"]["dependencies"]
    assert pyproject["tool"]["uv"]["sources"]["private-greeting"]["path"] == f"wheels/{WHEEL}"
    assert f"code/{WHEEL}" in report_codes(app)["S2A306"][0]
    # uv read the wheel from the app's folder: the lock names it there, and agrees with the app as it is.
    assert f'path = "wheels/{WHEEL}"' in (app / "uv.lock").read_text()
    check = subprocess.run(["uv", "lock", "--check", "--offline", "--directory", str(app)], capture_output=True,
                           text=True, timeout=300)
    assert check.returncode == 0, check.stderr


def test_a_model_turned_into_wheels_installs_from_the_index_and_ships_only_its_own(app):
    """add_libraries_to_model replaced every line by a wheel of it; the app takes the author's lines, so packages
    come from the index for the app's platform, and the private wheel (named by the notebook's path) from wheels/."""
    build_wheel(model(app) / "wheels")
    original = model(app) / "requirements.txt"
    (model(app) / "original_requirements.txt").write_text(
        original.read_text() + f"\n/Volumes/main/default/libs/{WHEEL}\n")
    original.write_text(f"wheels/mlflow-3.17.2-py3-none-any.whl\nwheels/{WHEEL}\n")
    assert main(["migrate", "--app-dir", str(app), "--force", "--no-lock"]) in (0, 1)
    assert (app / "wheels" / WHEEL).is_file() and not (app / "wheels" / "mlflow-3.17.2-py3-none-any.whl").exists()
    pyproject = tomlkit.parse((app / "pyproject.toml").read_text())
    assert list(pyproject["tool"]["uv"]["sources"]) == ["private-greeting"]
    assert not any(str(d).startswith("wheels/") for d in pyproject["project"]["dependencies"])


def test_a_wheel_the_model_does_not_hold_is_for_review(app):
    requirements = model(app) / "requirements.txt"
    requirements.write_text(requirements.read_text() + f"\n/Volumes/main/default/libs/{WHEEL}\n")
    assert main(["migrate", "--app-dir", str(app), "--force", "--no-lock"]) == 1
    assert WHEEL in report_codes(app)["S2A307"][0]
    assert not (app / "wheels").exists()
    assert "private-greeting" not in (app / "pyproject.toml").read_text()
