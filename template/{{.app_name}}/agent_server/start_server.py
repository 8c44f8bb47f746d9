"""Serves the agent with the MLflow agent server (`uv run start-server`).

Locally it listens on 127.0.0.1:8000; on Databricks Apps it binds every interface on DATABRICKS_APP_PORT.
"""

import argparse
import os
from pathlib import Path

from dotenv import load_dotenv

# Settings from .env must be in place before the agent module runs its start-up code.
load_dotenv(Path(__file__).resolve().parent.parent / ".env", override=False)

import uvicorn  # noqa: E402
from mlflow.genai.agent_server import AgentServer  # noqa: E402

import agent_server.agent  # noqa: E402,F401  (importing it registers the @invoke/@stream functions)

app = AgentServer("ResponsesAgent").app


def main(argv: list[str] | None = None, app_path: str = "agent_server.start_server:app") -> None:
    on_apps = "DATABRICKS_APP_PORT" in os.environ
    parser = argparse.ArgumentParser(description="Serve the agent with the MLflow agent server.")
    parser.add_argument("--host", default="0.0.0.0" if on_apps else "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DATABRICKS_APP_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reload", action="store_true", help="restart when the code changes (development)")
    args = parser.parse_args(argv)
    # An import string, not the app object: uvicorn needs it for --workers and --reload.
    uvicorn.run(
        app_path,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
    )


if __name__ == "__main__":
    main()
