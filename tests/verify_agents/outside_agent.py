"""An agent that asks a service outside the workspace (a hard-coded URL, here from FACTS_URL) for a fact, with the
client FACTS_CLIENT names: httpx (honours the proxy variables), aiohttp (ignores them unless trust_env) or
http.client (a plain socket)."""

import asyncio
import http.client
import os
from urllib.parse import urlsplit

import aiohttp
import httpx
import mlflow
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import ResponsesAgentRequest, ResponsesAgentResponse


async def _aiohttp_get(url: str) -> str:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        return await answer.text()


def _socket_get(url: str) -> str:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", parts.path)
    return connection.getresponse().read().decode()


def fetch(url: str) -> str:
    client = os.environ.get("FACTS_CLIENT", "httpx")
    if client == "aiohttp":
        return asyncio.run(_aiohttp_get(url))
    if client == "http.client":
        return _socket_get(url)
    return httpx.get(url, timeout=30).text


class FactAgent(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        fact = fetch(os.environ["FACTS_URL"])
        return ResponsesAgentResponse(output=[self.create_text_output_item(text=f"A fact: {fact}", id="fact")])


mlflow.models.set_model(FactAgent())
