"""Hardening beyond the bad-input matrix: a crash exits 3 with its traceback saved, a plain secret never reaches
the app whatever its source, locking never builds a package (running its code), bundle text never carries `${`, and
files come out with the umask's modes."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from engines import REPO_ROOT
from example import original_model
from serving2apps.cli import main

PLAIN = "sk-HANDWRITTEN-PLAIN-4c2e"


def migrate(app: Path, *extra: str, locking: bool = False) -> int:
    """The CLI's migrate; without uv.lock unless the test is about locking (it takes seconds and the index)."""
    return main(["migrate", "--app-dir", str(app), "--force", *extra, *([] if locking or "--lock" in extra
                                                                        else ["--no-lock"])])


def test_a_crash_exits_3_and_saves_the_traceback(example_app, monkeypatch, tmp_path, capsys):
    import serving2apps.migrate as migrate_module

    def explode(*args, **kwargs):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(migrate_module, "plan_migration", explode)
    monkeypatch.setenv("SERVING2APPS_CRASH_DIR", str(tmp_path / "crashes"))
    assert migrate(example_app) == 3
    err = capsys.readouterr().err
    assert "internal error" in err and "ZeroDivisionError" in err and "Traceback" not in err
    saved = list((tmp_path / "crashes").glob("crash-*.txt"))
    assert len(saved) == 1 and "planted" in saved[0].read_text() and "Traceback" in saved[0].read_text()


def test_a_plain_secret_in_a_handwritten_record_never_reaches_the_app(example_app, capsys):
    record = {"source": {"environment_vars": {"VENDOR_API_KEY": PLAIN, "MODE": "prod"}}}
    (original_model(example_app) / "serving2apps-provenance.json").write_text(json.dumps(record))
    assert migrate(example_app) == 1  # S2A204 is for review
    written = b"".join(p.read_bytes() for p in example_app.rglob("*") if p.is_file())
    assert PLAIN.encode() not in written and PLAIN not in capsys.readouterr().out
    report = json.loads((example_app / ".serving2apps" / "report.json").read_text())
    assert any(f["code"] == "S2A204" and "VENDOR_API_KEY" in f["message"] for f in report["findings"])
    assert "MODE" in (example_app / "databricks.yml").read_text()


def test_the_endpoints_workspace_credentials_stay_behind(example_app):
    """The endpoint gave the agent a PAT from a secret, and a module under code/ reads it: the app gets neither the
    variable nor the secret (its service principal authenticates it), and both are for review."""
    record = {"source": {"environment_vars": {"DATABRICKS_HOST": "https://example.cloud.databricks.com",
                                              "DATABRICKS_TOKEN": "{{secrets/agents/pat}}"}}}
    (original_model(example_app) / "serving2apps-provenance.json").write_text(json.dumps(record))
    (original_model(example_app) / "code" / "llm_client.py").write_text(
        "import os\n\nTOKEN = os.environ['DATABRICKS_TOKEN']\n")
    assert migrate(example_app) == 1
    bundle = (example_app / "databricks.yml").read_text()
    assert "DATABRICKS_TOKEN" not in bundle and "DATABRICKS_HOST" not in bundle and "agents" not in bundle
    report = json.loads((example_app / ".serving2apps" / "report.json").read_text())
    assert {f["code"] for f in report["findings"]} >= {"S2A212", "S2A213", "S2A214"}


def test_credentials_in_urls_never_reach_the_app(example_app, capsys):
    """A private index or package URL with its token in it (requirements.txt), and an endpoint variable whose
    name says nothing but whose value is a URL with a password: none of them is written or printed."""
    secrets = ["idx-TOKEN-1f", "pkg-TOKEN-2e", "ghp_TOKEN3d", "db-PASSWORD-4c"]
    requirements = original_model(example_app) / "requirements.txt"
    requirements.write_text(requirements.read_text() + f"""
--extra-index-url https://build:{secrets[0]}@pypi.corp.example/simple
privpkg @ https://bob:{secrets[1]}@files.corp.example/privpkg-1.0-py3-none-any.whl
tool @ git+https://{secrets[2]}@github.com/corp/tool.git
""")
    record = {"source": {"environment_vars": {"WAREHOUSE_URL": f"postgresql://agent:{secrets[3]}@db.corp:5432/kb"}}}
    (original_model(example_app) / "serving2apps-provenance.json").write_text(json.dumps(record))
    assert migrate(example_app) == 1
    out = capsys.readouterr()
    written = b"".join(p.read_bytes() for p in example_app.rglob("*") if p.is_file())
    for secret in secrets:
        assert secret.encode() not in written and secret not in out.out + out.err
    pyproject = (example_app / "pyproject.toml").read_text()
    assert "privpkg @ https://files.corp.example/privpkg-1.0-py3-none-any.whl" in pyproject
    assert "tool @ git+https://github.com/corp/tool.git" in pyproject
    report = json.loads((example_app / ".serving2apps" / "report.json").read_text())
    codes = [(f["code"], f["message"]) for f in report["findings"]]
    assert sum(code == "S2A305" for code, _ in codes) == 2
    assert ("S2A303", "requirements option '--extra-index-url https://***@pypi.corp.example/simple' was not "
                      "carried over") in codes
    assert any(code == "S2A204" and "WAREHOUSE_URL" in message for code, message in codes)


def test_lock_never_builds_a_local_reference(example_app, tmp_path, capsys):
    package = tmp_path / "evil"
    package.mkdir()
    marker = tmp_path / "setup-ran"
    (package / "setup.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n"
                                      "from setuptools import setup\nsetup(name='evil', version='1')\n")
    requirements = original_model(example_app) / "requirements.txt"
    requirements.write_text(requirements.read_text() + f"\nevil @ file://{package}\n")
    before = {p: p.read_bytes() for p in example_app.rglob("*") if p.is_file()}
    assert migrate(example_app, "--lock") == 2  # asked for explicitly: refused
    err = capsys.readouterr().err
    assert "direct reference" in err and "--no-lock" in err
    assert not marker.exists()
    assert {p: p.read_bytes() for p in example_app.rglob("*") if p.is_file()} == before
    # Unasked (the default locks): the run completes without uv.lock, and says why.
    assert migrate(example_app, locking=True) == 1
    report = json.loads((example_app / ".serving2apps" / "report.json").read_text())
    assert any(f["code"] == "S2A304" and "evil" in f["message"] for f in report["findings"])
    assert not marker.exists() and not (example_app / "uv.lock").exists()


def test_lock_never_builds_a_package_that_has_no_wheel(example_app, tmp_path, monkeypatch, capsys):
    """A requirement published only as a source archive: uv would build it to read its metadata, running its
    setup.py. The index here is a local folder of archives (UV_FIND_LINKS) beside the real one."""
    import tarfile

    marker = tmp_path / "setup-ran"
    archive = tmp_path / "links" / "sourceonly-1.0.tar.gz"
    archive.parent.mkdir()
    source = tmp_path / "sourceonly-1.0"
    source.mkdir()
    (source / "setup.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n"
                                     "from setuptools import setup\nsetup(name='sourceonly', version='1.0')\n")
    (source / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: sourceonly\nVersion: 1.0\n")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source, arcname=source.name)
    monkeypatch.setenv("UV_FIND_LINKS", str(archive.parent))
    requirements = original_model(example_app) / "requirements.txt"
    requirements.write_text(requirements.read_text() + "\nsourceonly==1.0\n")
    before = {p: p.read_bytes() for p in example_app.rglob("*") if p.is_file()}
    assert migrate(example_app, "--lock") == 2
    err = capsys.readouterr().err
    assert "sourceonly" in err and "source distribution" in err and "--no-lock" in err
    assert {p: p.read_bytes() for p in example_app.rglob("*") if p.is_file()} == before
    assert migrate(example_app, locking=True) == 1  # the default: done without uv.lock, for review
    report = json.loads((example_app / ".serving2apps" / "report.json").read_text())
    assert any(f["code"] == "S2A304" and "sourceonly" in f["message"] for f in report["findings"])
    assert not marker.exists() and not (example_app / "uv.lock").exists()


def test_the_cli_locks_by_default_and_no_lock_skips_it(example_app):
    """uv.lock comes with the app unless asked not to; `uv sync --locked` accepts it (the app installs exactly
    what was resolved)."""
    import subprocess

    assert migrate(example_app) in (0, 1) and not (example_app / "uv.lock").exists()  # --no-lock
    assert migrate(example_app, locking=True) in (0, 1)
    assert (example_app / "uv.lock").is_file()
    check = subprocess.run(["uv", "lock", "--check", "--directory", str(example_app)], capture_output=True, text=True,
                           timeout=300)
    assert check.returncode == 0, check.stderr


def test_interpolation_in_a_value_from_the_model_is_refused(example_app, capsys):
    path = original_model(example_app) / "MLmodel"
    data = yaml.safe_load(path.read_text())
    data["resources"] = {"api_version": "1", "databricks": {"serving_endpoint": [{"name": "${var.endpoint}"}]}}
    path.write_text(yaml.safe_dump(data))
    before = (example_app / "databricks.yml").read_bytes()
    assert migrate(example_app) == 2
    assert "${" in capsys.readouterr().err
    assert (example_app / "databricks.yml").read_bytes() == before


def test_files_follow_the_umask_and_keep_their_modes(example_app):
    script = example_app / "agent_server" / "start_server.py"
    script.chmod(0o755)
    (example_app / "agent_server" / "agent.py").unlink()
    (example_app / "databricks.yml").write_text((example_app / "databricks.yml").read_text() + "\n")
    assert migrate(example_app) in (0, 1)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((example_app / "agent_server" / "agent.py").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE((example_app / "databricks.yml").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(script.stat().st_mode) == 0o755


def test_two_runs_on_one_app_do_not_interleave(example_app, capsys):
    """While one run holds the app, a second is refused at once (exit 2), writing nothing."""
    import fcntl

    before = {p: p.read_bytes() for p in example_app.rglob("*") if p.is_file()}
    held = os.open(example_app, os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a running migrate holds
        assert migrate(example_app) == 2
        assert "another serving2apps run" in capsys.readouterr().err
        assert {p: p.read_bytes() for p in example_app.rglob("*") if p.is_file()} == before
    finally:
        os.close(held)
    assert migrate(example_app) in (0, 1)  # released: the next run proceeds


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB file system (tmpfs) to fill; mounting needs root."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a small tmpfs, which only root may mount")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("running as root without the right to mount a tmpfs")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_is_refused_cleanly_and_the_next_run_completes(migrated_example, small_disk, tmp_path, capsys):
    """The artifact does not fit: exit 2 naming the full disk, no temporary file left, the record untouched;
    once the artifact fits, the next run completes without --force (what the failed run replaced is its own)."""
    example_app = small_disk / "app"
    shutil.copytree(migrated_example / "app", example_app)
    source = tmp_path / "model"  # off the small disk, so only the app fills it
    shutil.copytree(migrated_example / "original_mlflow_model", source)
    record = (example_app / ".serving2apps" / "written.json").read_bytes()
    (source / "artifacts" / "weights.bin").write_bytes(os.urandom(shutil.disk_usage(small_disk).free + 256 * 1024))
    capsys.readouterr()
    assert main(["migrate", "--app-dir", str(example_app), "--source", str(source), "--no-lock"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "free some space" in err
    assert (example_app / ".serving2apps" / "written.json").read_bytes() == record
    assert not [p for p in example_app.rglob(".*") if p.is_file() and ".weights.bin." in p.name]  # no temporary file
    (source / "artifacts" / "weights.bin").write_bytes(os.urandom(64 * 1024))
    assert main(["migrate", "--app-dir", str(example_app), "--source", str(source), "--no-lock"]) in (0, 1), \
        capsys.readouterr().err
    assert (example_app / "agent_server" / "artifacts" / "weights.bin").stat().st_size == 64 * 1024


@pytest.mark.parametrize("left_kib", [4, 40, 120, 200])
def test_init_on_a_full_disk_is_refused_and_leaves_nothing(small_disk, left_kib, capsys):
    """The disk fills while the model is copied, its record written, the scaffold rendered or the app written
    (which one depends on the room left): each time exit 2 (not a crash report), the disk named as the user gave
    it (not the staging folder), and nothing left behind, not even the output folder init made."""
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - left_kib * 1024))
    output = small_disk / "out"
    capsys.readouterr()
    assert main(["init", "--example", "--app-name", "full-disk", "--output-dir", str(output), "--no-lock"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "free some space" in err and str(small_disk) in err, err
    assert ".serving2apps-init-" not in err and "internal error" not in err
    assert list(small_disk.iterdir()) == [filler]


def test_a_file_over_the_size_limit_is_refused_and_leaves_nothing(tmp_path):
    """`ulimit -f` (or a file system's own limit) refuses the model's largest file: exit 2 with the fix, nothing
    at the destination, no staging folder beside it. Run in a child process, which alone gets the limit."""
    import resource
    import signal
    import sys

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    dest = tmp_path / "downloads" / "model"
    done = subprocess.run([sys.executable, "-m", "serving2apps.cli", "download", "--model-dir", str(REPO_ROOT / "examples" / "echo_agent" / "model"),
                           "--dest", str(dest)], capture_output=True, text=True, preexec_fn=limited, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "File too large" in done.stderr and "ulimit -f" in done.stderr and "internal error" not in done.stderr
    assert list(dest.parent.iterdir()) == []


def test_an_app_folder_that_disappears_mid_run_is_not_rebuilt(example_app, monkeypatch, capsys):
    """Removed between planning and writing (another tool, a user): exit 2, and no partial app in its place."""
    import serving2apps.migrate as migrate_module

    real = migrate_module.user_edits

    def remove_the_app(plan, app_dir):
        edited = real(plan, app_dir)
        shutil.rmtree(app_dir, ignore_errors=True)
        return edited

    monkeypatch.setattr(migrate_module, "user_edits", remove_the_app)
    (example_app / "agent_server" / "agent.py").unlink()  # so there is something to write
    assert migrate(example_app) == 2
    assert "disappeared" in capsys.readouterr().err
    assert not example_app.exists()


def test_a_reader_that_stops_reading_does_not_stop_the_run(tmp_path):
    """`serving2apps init ... | head -1`: the pipe closes after the first line; init still builds the whole app and
    exits with its own code, where the next line printed used to raise BrokenPipeError, abandon the app and read
    as a crash (exit 3)."""
    import sys

    run = subprocess.Popen([sys.executable, "-m", "serving2apps.cli", "init", "--example", "--app-name", "piped",
                            "--output-dir", str(tmp_path / "out"), "--no-lock"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run.stdout.readline()
    run.stdout.close()  # the reader is gone
    stderr = run.stderr.read()
    assert run.wait(timeout=120) == 0, stderr
    assert "internal error" not in stderr and "Broken pipe" not in stderr
    assert (tmp_path / "out" / "piped" / "agent_server" / "agent.py").is_file()
