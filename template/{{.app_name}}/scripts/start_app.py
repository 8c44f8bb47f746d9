"""`uv run start-app`: the app as Databricks Apps runs it (the agent server, its chat page at `/`), kept as the
familiar local command; `uv run start-server` is the same server."""

from agent_server.start_server import main

if __name__ == "__main__":
    main()
