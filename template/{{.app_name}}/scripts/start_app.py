"""Starts the agent and a local chat page (`uv run start-app`); `uv run start-server` serves the API alone.

The page is one static file (scripts/chat.html, no build step, nothing downloaded at run time) served at `/`,
a path the agent server does not use: /invocations, /responses, /health and the others answer as before.
"""

from pathlib import Path

from fastapi.responses import HTMLResponse

from agent_server.start_server import app, main as serve

CHAT_PAGE = Path(__file__).resolve().parent / "chat.html"


def _add_chat_page() -> None:
    # `python -m scripts.start_app` runs this module twice (as __main__, then as uvicorn's import): add it once.
    if any(getattr(route, "name", None) == "chat_page" for route in app.routes):
        return
    if "/" in {getattr(route, "path", None) for route in app.routes}:
        raise RuntimeError("the agent server already answers GET /; the chat page would shadow it")
    app.add_api_route("/", lambda: HTMLResponse(CHAT_PAGE.read_text()), methods=["GET"], name="chat_page",
                      include_in_schema=False)


_add_chat_page()


def main(argv: list[str] | None = None) -> None:
    serve(argv, app_path="scripts.start_app:app")


if __name__ == "__main__":
    main()
