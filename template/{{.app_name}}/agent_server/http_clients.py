"""The HTTP transport of the agent's async OpenAI clients.

The async OpenAI client's default transport (httpx over httpcore) spends CPU on connection-pool bookkeeping that
grows with the number of open connections: under many concurrent requests, each holding model streams, the event
loop's thread becomes the bottleneck. aiohttp's pool does not, so the migrated agent builds its AsyncOpenAI
clients with `http_client=async_http_client()`: openai's aiohttp transport when the installed openai has it and
`httpx-aiohttp` is installed, else None, which leaves openai's default transport in place.

An aiohttp client binds to the event loop that first uses it: the agent server's, in the app.
"""

from typing import Any


def async_http_client() -> Any:
    try:
        from openai import DefaultAioHttpClient
    except ImportError:  # an openai older than its aiohttp transport
        return None
    try:
        return DefaultAioHttpClient()
    except RuntimeError:  # httpx-aiohttp is not installed (or Python is older than aiohttp's transport needs)
        return None
