"""Starts the agent locally (`uv run start-app`); same options as start-server."""

from agent_server.start_server import main

if __name__ == "__main__":
    main()
