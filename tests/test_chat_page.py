"""The app's chat page in a real headless browser (Debian's chromium, driven by Playwright): a migrated agent
with a tool call answers a typed message, streamed, with the tool call shown. The server runs as Databricks
Apps starts it (`start-server` on DATABRICKS_APP_PORT), so the page is what the app's URL shows once deployed.
A screenshot is kept in tests/.artifacts/chat_page.png."""

import os
import sys
from pathlib import Path

import httpx
import pytest

from engines import render_bundle_init
from fake_llm import Timing, install_fake_llm
from servers import trace_store
from workspace_server import WorkspaceServer

from serving2apps.codemod.agent_file import migrate_agent_source
from serving2apps.local_server import free_port, running_server

CHROMIUM = "/usr/bin/chromium"
AGENT = Path(__file__).parent / "framework_agents" / "openai_orders.py"
ARTIFACTS = Path(__file__).parent / ".artifacts"


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def chat_app(go_renderer, tmp_path_factory):
    """The deployed command on a free port, serving the async-migrated tool-calling agent against the fake model."""
    out = tmp_path_factory.mktemp("chat")
    assert render_bundle_init(go_renderer, {"app_name": "chat-agent"}, out).returncode == 0
    app = out / "chat-agent"
    (app / "agent_server" / "agent.py").write_text(migrate_agent_source(AGENT.read_text(), mode="async").code)
    with WorkspaceServer() as model:
        install_fake_llm(model, Timing(between_tokens=0.2))
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(app), "OPENAI_BASE_URL": f"{model.url}/v1",
               "OPENAI_API_KEY": model.token, **trace_store(app),
               "DATABRICKS_APP_PORT": str(port)}
        base = f"http://127.0.0.1:{port}"
        # Apps binds every interface; tests listen on loopback only.
        with running_server([sys.executable, "-m", "agent_server.start_server", "--host", "127.0.0.1"], app, env,
                            out / "server.log", base + "/health"):
            yield base, model


def test_the_page_does_not_shadow_the_api(chat_app):
    base, _ = chat_app
    page = httpx.get(base + "/")
    assert page.status_code == 200 and "<title>Agent chat" in page.text
    assert httpx.get(base + "/health").status_code == 200
    answer = httpx.post(base + "/invocations", json={"input": [{"role": "user", "content": "7"}]}, timeout=60)
    assert answer.json()["output"][-1]["content"][0]["text"] == "Answer: order 7 shipped"


def test_a_typed_message_streams_back_with_its_tool_call(chat_app, chromium):
    base, model = chat_app
    page = chromium.new_page()
    try:
        page.goto(base + "/")
        page.fill("#message", "42")
        with page.expect_request("**/invocations") as sent:
            page.click("#send")
        body = sent.value.post_data_json
        assert body["stream"] is True and body["input"] == [{"role": "user", "content": "42"}]
        assert body["custom_inputs"]["thread_id"] == body["context"]["conversation_id"]
        # Deltas render as they arrive: the answer is seen part-written before it is complete.
        page.wait_for_function("""() => { const b = document.querySelector('.msg.assistant');
                                          return b && b.textContent.startsWith('Answer:')
                                                 && !b.textContent.includes('shipped'); }""", timeout=60_000)
        page.wait_for_selector(".msg.assistant:has-text('Answer: order 42 shipped')", timeout=60_000)
        tools = page.locator(".msg.tool").all_inner_texts()
        assert tools == ['tool call: lookup_order({"order_id": "42"})', "tool result: order 42 shipped"]
        assert page.locator(".msg.user").all_inner_texts() == ["42"]
        assert page.locator(".msg.error").count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chat_page.png"), full_page=True)
    finally:
        page.close()
    assert [r for r in model.requests if r.path.endswith("/chat/completions")], "the agent never called the model"


def test_a_failing_agent_shows_an_error(chat_app, chromium):
    base, _ = chat_app
    page = chromium.new_page()
    try:
        page.goto(base + "/")
        page.route("**/invocations", lambda route: route.fulfill(status=500, body="agent crashed"))
        page.fill("#message", "boom")
        page.click("#send")
        page.wait_for_selector(".msg.error", timeout=20_000)
        assert "HTTP 500" in page.locator(".msg.error").inner_text()
    finally:
        page.close()
