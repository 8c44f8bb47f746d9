"""The app answers as the original model did: `uv run pytest` replays what `serving2apps verify` recorded.

verify keeps, in .serving2apps/verify/, the requests it asked, the original model's answers and the workspace calls
the original made (model endpoints, UC functions, ...; credentials never recorded). This test serves the app with
its workspace pointed at a replay of those calls and asks the same requests: after an edit to the agent, a
different answer or a workspace call the original never made is a change of behaviour. Skipped until verify ran.
"""

import json
import os
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent
KEPT = APP / ".serving2apps" / "verify"

if not (KEPT / "expected.jsonl").is_file():
    pytest.skip("nothing to replay yet: run `serving2apps verify` in this folder first", allow_module_level=True)

# Copied into tests/replay_support/ by verify, with what it recorded.
from replay_support.answers import AppAnswerError, ask_app, same  # noqa: E402
from replay_support.local_server import free_port, running_server  # noqa: E402
from replay_support.workspace_traffic import Recording, ReplayServer, pointed_at  # noqa: E402


def test_the_app_answers_as_the_original_did(tmp_path):
    cases = [json.loads(line) for line in (KEPT / "expected.jsonl").read_text().splitlines() if line.strip()]
    recording = Recording.load(KEPT / "recording.json")
    offline = json.loads((KEPT / "settings.json").read_text())["offline"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with ReplayServer(recording, offline=offline) as replay:
        # No tracking URI: start_server then leaves tracing off, as verify did.
        env = pointed_at({**os.environ, "PYTHONPATH": str(APP), "MLFLOW_TRACKING_URI": ""}, replay.url, tmp_path)
        command = [sys.executable, "-m", "agent_server.start_server", "--port", str(port), "--host", "127.0.0.1"]
        with running_server(command, APP, env, tmp_path / "server.log", base + "/health", 120):
            changed = [problem for case in cases if (problem := _ask(base, case))]
    # The first call the original never made explains the rest (offline, non-model calls are 404 on both sides).
    if replay.misses and not offline:
        pytest.fail("a workspace call the original never made: " + replay.misses[0].describe(recording))
    assert not changed, "; ".join(changed)


def _ask(base: str, case: dict) -> str | None:
    """What changed in the app's answer to one request (None: nothing)."""
    try:
        whole, events = ask_app(base, case["request"], 300)
    except AppAnswerError as exc:
        return f"{case['name']}: {exc}"
    whole_same, stream_same = same(case, whole, events)
    which = " and ".join(w for w, alike in (("whole", whole_same), ("streamed", stream_same)) if not alike)
    return f"{case['name']}: the {which} answer changed" if which else None
