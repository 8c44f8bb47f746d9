"""Pre-generation: fetch the served agent into `original_mlflow_model/`, checked and with its provenance.

Sources: a serving endpoint (resolved to its registered model version), a model URI, or a local model
folder. The model is fetched into a temporary sibling folder, read and checked, and only then renamed into
place, so an interrupted or failed run leaves nothing half-made behind.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

from serving2apps.errors import MigrationError, first_line, refusal_from_machine, refused_by_machine
from serving2apps.interrupts import scratch
from serving2apps.model_reader import ModelInfo, read_model, refuse_inside_model_dir
from serving2apps.provenance import PROVENANCE_FILE, write_provenance

DEFAULT_DEST = Path("original_mlflow_model")
_MODEL_URI = re.compile(r"^models:/(?P<name>[^/@]+)(?:/(?P<version>\d+)|@(?P<alias>[\w-]+))$")
# mlflow error codes that no retry can fix.
_PERMANENT_ERRORS = {
    "RESOURCE_DOES_NOT_EXIST",
    "NOT_FOUND",
    "INVALID_PARAMETER_VALUE",
    "PERMISSION_DENIED",
    "UNAUTHENTICATED",
    "BAD_REQUEST",
}


@dataclass(frozen=True)
class Source:
    endpoint: str | None = None
    model_uri: str | None = None
    model_dir: Path | None = None
    profile: str | None = None
    served_entity: str | None = None

    def __post_init__(self):
        given = [x for x in (self.endpoint, self.model_uri, self.model_dir) if x]
        if len(given) != 1:
            raise MigrationError(
                "give exactly one source: --endpoint NAME, --model-uri URI or --model-dir PATH",
                "for example: serving2apps download --endpoint my-agent-endpoint --profile DEFAULT",
            )


@dataclass(frozen=True)
class Retry:
    attempts: int = 4
    first_delay: float = 2.0  # doubles after every failed attempt


@dataclass(frozen=True)
class Downloaded:
    model: ModelInfo
    provenance: dict


def registry_uri_for(model_name: str, profile: str | None) -> str:
    """Three-part names live in Unity Catalog; others in the workspace registry. MLFLOW_REGISTRY_URI wins."""
    if os.environ.get("MLFLOW_REGISTRY_URI"):
        return os.environ["MLFLOW_REGISTRY_URI"]
    scheme = "databricks-uc" if model_name.count(".") == 2 else "databricks"
    return f"{scheme}://{profile}" if profile else scheme


def tracking_uri_for(profile: str | None) -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or (f"databricks://{profile}" if profile else "databricks")


def _uses_workspace(model_uri: str, profile: str | None) -> bool:
    """The download goes through a Databricks workspace (rather than an MLflow server the environment names)."""
    match = _MODEL_URI.match(model_uri)
    uris = [tracking_uri_for(profile), registry_uri_for(match["name"], profile) if match else ""]
    return any(uri.startswith("databricks") for uri in uris)


def prepare_destination(dest: Path, force: bool) -> None:
    if dest.exists() and not dest.is_dir():
        raise MigrationError(f"{dest} exists and is not a folder", "choose another --dest")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise MigrationError(
            f"{dest} already exists and is not empty",
            "choose another --dest, or pass --force to replace it (its files are removed)",
        )


@contextmanager
def _staging(dest: Path):
    """A temporary folder beside dest (same filesystem, so the final rename is atomic); removed on failure."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    try:
        with scratch(staging):
            yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _move_into_place(staging: Path, dest: Path) -> None:
    if dest.exists():
        old = dest.with_name(f".{dest.name}.replaced-{os.getpid()}")
        dest.rename(old)
        staging.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(dest)


class _Progress:
    """Reports files and bytes fetched so far, on stderr, while a download runs (only on a terminal)."""

    def __init__(self, folder: Path, label: str, interval: float = 1.0):
        self.folder, self.label, self.interval = folder, label, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _size(self) -> tuple[int, int]:
        files = [p for p in self.folder.rglob("*") if p.is_file()]
        return len(files), sum(p.stat().st_size for p in files)

    def _run(self):
        while not self._stop.wait(self.interval):
            count, size = self._size()
            print(f"\r  {self.label}: {count} files, {size / 1e6:.1f} MB", end="", file=sys.stderr, flush=True)

    def __enter__(self):
        if sys.stderr.isatty():
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
            print(file=sys.stderr)


@contextmanager
def mlflow_settings(tracking_uri: str):
    """We retry whole downloads ourselves, with a bound the user can see; mlflow's own retries (7, with
    exponential backoff) would multiply with ours. The tracking URI is pinned for the whole download: code
    paths that read mlflow's default instead would create a local `mlflow.db` in the user's folder."""
    saved = {k: os.environ.get(k) for k in ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "MLFLOW_TRACKING_URI",
                                            "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR")}
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    os.environ["MLFLOW_TRACKING_URI"] = tracking_uri
    os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"  # serving2apps shows its own progress
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _is_permanent(exc: Exception) -> bool:
    return getattr(exc, "error_code", None) in _PERMANENT_ERRORS


@contextmanager
def _auth_failures_stop(model_uri: str, profile: str | None):
    """A 401/403 from the registry (a token that expired after the endpoint was resolved, say) is not retried."""
    try:
        yield
    except Exception as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        text = str(exc)
        if status in (401, 403) or "UNAUTHENTICATED" in text or "401 Client Error" in text or "403 Client Error" in text:
            raise MigrationError(
                f"cannot download {model_uri}: the registry refused the credentials ({first_line(text, 200)})",
                f"your token may have expired: run `databricks auth login --profile {profile or 'DEFAULT'}`, then "
                "run the command again",
            ) from None
        raise


def fetch_model_uri(model_uri: str, into: Path, profile: str | None, retry: Retry, log: Callable[[str], None]) -> None:
    import mlflow.artifacts
    from mlflow.exceptions import MlflowException

    match = _MODEL_URI.match(model_uri)
    if not match and not model_uri.startswith("runs:/"):
        raise MigrationError(
            f"{model_uri!r} is not a model URI serving2apps can download",
            "use models:/NAME/VERSION, models:/NAME@ALIAS or runs:/RUN_ID/PATH",
        )
    registry_uri = registry_uri_for(match["name"], profile) if match else None
    if registry_uri and registry_uri.startswith("databricks-uc"):
        # Download through the workspace Files API (databricks-sdk) rather than cloud-storage clients.
        os.environ.setdefault("MLFLOW_USE_DATABRICKS_SDK_MODEL_ARTIFACTS_REPO_FOR_UC", "true")
    tried: list[str] = []
    delay = retry.first_delay
    for attempt in range(1, retry.attempts + 1):
        for child in into.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        try:
            with _auth_failures_stop(model_uri, profile), mlflow_settings(tracking_uri_for(profile)), \
                    _Progress(into, f"downloading {model_uri}"):
                mlflow.artifacts.download_artifacts(
                    artifact_uri=model_uri,
                    dst_path=str(into),
                    tracking_uri=tracking_uri_for(profile),
                    registry_uri=registry_uri,
                )
            return
        except MlflowException as exc:
            if exc.message.startswith("Invalid path"):
                # mlflow refuses listed names that would land outside the destination ("../x", "/x").
                raise MigrationError(
                    f"cannot download {model_uri}: the registry lists a file whose name would escape the download "
                    "folder, so nothing was written",
                    "an MLflow registry does not send such names: check the registry URI and any proxy in between",
                ) from None
            if _is_permanent(exc):
                raise MigrationError(
                    f"cannot download {model_uri}: {first_line(exc.message)}",
                    "check that the model version exists and was not deleted, and that you may read it",
                ) from None
            tried.append(f"attempt {attempt}: {first_line(exc)}")
        except (OSError, ConnectionError) as exc:
            if refusal_from_machine(exc):
                raise  # a full disk is not a network that may come back
            tried.append(f"attempt {attempt}: {type(exc).__name__}: {first_line(exc)}")
        except Exception as exc:  # requests/urllib3 errors that mlflow lets through
            if type(exc).__module__.split(".")[0] not in ("requests", "urllib3"):
                raise
            tried.append(f"attempt {attempt}: {type(exc).__name__}: {first_line(exc)}")
        if attempt < retry.attempts:
            log(f"download failed ({tried[-1]}); retrying in {delay:.0f}s")
            time.sleep(delay)
            delay *= 2
    raise MigrationError(
        f"cannot download {model_uri} after {retry.attempts} attempts:\n    " + "\n    ".join(tried),
        "read the attempts above: a dropped connection points at the network (VPN, proxy), an error from the "
        "registry at the model URI or the workspace status; then run the command again",
    )


def copy_model_dir(source: Path, into: Path) -> None:
    read_model(source)  # refuses what cannot be migrated before anything is copied
    failed: list[OSError] = []

    def copy(src: str, dst: str) -> str:
        try:
            return shutil.copy2(src, dst)
        except OSError as exc:
            failed.append(exc)
            raise

    try:
        shutil.copytree(source, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns(PROVENANCE_FILE),
                        copy_function=copy)
    except shutil.Error:
        # copytree goes on past a failed file and then reports every failure as text: the first error, whole,
        # says what happened (a full disk, a file the user may not read).
        if failed:
            raise failed[0] from None
        raise


def download(
    source: Source,
    dest: Path = DEFAULT_DEST,
    *,
    force: bool = False,
    retry: Retry = Retry(),
    log: Callable[[str], None] = print,
) -> Downloaded:
    dest = Path(dest)
    if source.model_dir:
        refuse_inside_model_dir(source.model_dir, dest, "--dest")
    prepare_destination(dest, force)
    record: dict = {}
    model_uri = source.model_uri
    if source.endpoint or (source.model_uri and _uses_workspace(source.model_uri, source.profile)):
        # Credentials and the workspace are checked once, up front: no retries for what no retry can fix.
        # Imported here: databricks-sdk takes ~0.9 s to import, which a local model never needs.
        from serving2apps.endpoint import check_auth, resolve_endpoint, workspace_client

        log(f"Contacting the workspace of profile {source.profile or 'DEFAULT'} ...")
        client = workspace_client(source.profile)
        user = check_auth(client)
        log(f"Authenticated to {client.config.host} as {user}.")
    if source.endpoint:
        served = resolve_endpoint(client, source.endpoint, source.served_entity)
        log(f"Endpoint {served.endpoint}: served entity {served.served_entity} serves {served.model_uri}.")
        model_uri = served.model_uri
        record = {"kind": "endpoint", "profile": source.profile, **asdict(served), "model_uri": model_uri}
    elif source.model_uri:
        record = {"kind": "model_uri", "profile": source.profile, "model_uri": model_uri}
    else:
        record = {"kind": "model_dir", "model_dir": str(Path(source.model_dir).resolve())}

    started = time.monotonic()
    with refused_by_machine(dest.parent), _staging(dest) as staging:
        if source.model_dir:
            copy_model_dir(Path(source.model_dir), staging)
        else:
            fetch_model_uri(model_uri, staging, source.profile, retry, log)
        model = read_model(staging)
        provenance = write_provenance(staging, record, list(model.files), model.mlmodel.get("auth_policy"))
        _move_into_place(staging, dest)
    size = sum((dest / f).stat().st_size for f in model.files)
    log(f"Model in {dest}: {len(model.files)} files, {size / 1e6:.2f} MB, in {time.monotonic() - started:.1f}s; "
        f"agent file {model.agent_file}.")
    return Downloaded(model=replace(model, root=dest), provenance=provenance)
