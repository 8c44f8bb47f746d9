"""The generated app's `agent-evaluate` runs the migrated (async) agent over its input example with
mlflow.genai.evaluate and a scorer that needs no LLM judge."""

import json
import os
import subprocess
import sys

from serving2apps.init import init


def test_agent_evaluate_scores_the_input_example(tmp_path):
    init(None, "eval-agent", tmp_path, example=True, engine="copier", log=lambda m: None)
    app = tmp_path / "eval-agent"
    env = {**os.environ, "PYTHONPATH": str(app), "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'eval.db'}"}
    for inherited in ("MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME"):  # they name another store's experiment
        env.pop(inherited, None)
    done = subprocess.run([sys.executable, "-m", "agent_server.evaluate_agent"], cwd=app, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = json.loads(done.stdout[done.stdout.index("{"):])
    assert metrics["answered/mean"] == 1.0


def test_agent_evaluate_without_examples_is_explained(tmp_path):
    init(None, "eval-agent", tmp_path, example=True, engine="copier", log=lambda m: None)
    app = tmp_path / "eval-agent"
    done = subprocess.run([sys.executable, "-m", "agent_server.evaluate_agent", "missing.json"], cwd=app,
                          env={**os.environ, "PYTHONPATH": str(app)}, capture_output=True, text=True)
    assert done.returncode == 2 and "no example requests at missing.json" in done.stderr
