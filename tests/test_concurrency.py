"""The async-migrated app keeps answering while many slow requests are in flight (a functional check, not a
timing one): more slow requests than the worker pool has threads, then /health and a fast request must both
answer while every slow request is still waiting on the model."""

import asyncio
from pathlib import Path

import httpx
import pytest

from engines import render_bundle_init
from fake_llm import Timing, install_fake_llm
from servers import running_agent_app
from workspace_server import WorkspaceServer

from serving2apps.codemod.agent_file import migrate_agent_source

AGENT = Path(__file__).parent / "framework_agents" / "openai_orders.py"
POOL = 4  # AGENT_WORKER_THREADS for the run: small, so the slow requests outnumber the threads


def request(text: str) -> dict:
    return {"input": [{"role": "user", "content": text}]}


async def probe(base: str, slow_requests: int) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        warm = await client.post("/invocations", json=request("warm up"))  # the first traced request is slow
        assert warm.status_code == 200, warm.text
        slow = [asyncio.create_task(client.post("/invocations", json=request("slow please")))
                for _ in range(slow_requests)]
        await asyncio.sleep(1.0)  # the slow requests are now all waiting on the model
        health = await client.get("/health")
        fast = await client.post("/invocations", json=request("fast"))
        pending_when_answered = sum(not task.done() for task in slow)
        results = await asyncio.gather(*slow)
        return {"health": health.status_code, "fast": fast.json(), "pending": pending_when_answered,
                "slow": [r.status_code for r in results]}


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_health_and_a_fast_request_answer_while_slow_ones_wait(mode, go_renderer, tmp_path):
    """In sync mode /health still answers (the handlers are async adapters), but the fast request queues
    behind the slow ones for a worker thread: the contrast shows what async mode buys."""
    assert render_bundle_init(go_renderer, {"app_name": "busy-app"}, tmp_path).returncode == 0
    app = tmp_path / "busy-app"
    result = migrate_agent_source(AGENT.read_text(), "agent_server/agent.py", mode=mode)
    assert ("S2A170" in {f.code for f in result.findings}) == (mode == "async")
    (app / "agent_server" / "agent.py").write_text(result.code)
    slow_requests = POOL + 2
    with WorkspaceServer() as model:
        install_fake_llm(model, Timing(slow=4.0))
        env = {"OPENAI_BASE_URL": f"{model.url}/v1", "OPENAI_API_KEY": model.token,
               "AGENT_WORKER_THREADS": str(POOL)}
        with running_agent_app(app, tmp_path / "server.log", env) as base:
            seen = asyncio.run(probe(base, slow_requests))
    assert seen["health"] == 200
    assert seen["fast"]["output"][-1]["content"][0]["text"] == "Answer: order fast shipped"
    assert seen["slow"] == [200] * slow_requests
    if mode == "async":
        assert seen["pending"] == slow_requests, "the fast request waited for slow ones"
    else:
        assert seen["pending"] < slow_requests
