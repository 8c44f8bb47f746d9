"""A machine-readable record of where a downloaded model came from, written beside its files."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

from serving2apps import __version__
from serving2apps.input_shapes import Provenance, read_json

PROVENANCE_FILE = "serving2apps-provenance.json"


def sha256_files(root: Path, files: list[str]) -> dict[str, str]:
    digests = {}
    for relative in files:
        digest = hashlib.sha256()
        with (root / relative).open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        digests[relative] = digest.hexdigest()
    return digests


def write_provenance(root: Path, source: dict, files: list[str], auth_policy: dict | None) -> dict:
    """Writes PROVENANCE_FILE into root and returns the record. `source` must hold no credentials."""
    record = {
        "tool": "serving2apps",
        "tool_version": __version__,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "source": source,
        "auth_policy": auth_policy,
        "files": sha256_files(root, [f for f in files if f != PROVENANCE_FILE]),
    }
    (root / PROVENANCE_FILE).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return record


def read_provenance(root: Path) -> dict | None:
    path = root / PROVENANCE_FILE
    if not path.is_file():
        return None
    return read_json(path, f"delete {path} (it only records where the model came from) or download the model again",
                     Provenance)
