"""The tests' fake OpenAI-compatible model, served from its own process for the benchmarks.

Prints its URL on stdout, then serves until killed. Timing comes from the command line. The answers and their
timing are the tests' (tests/fake_llm.py); only the HTTP server differs: a minimal HTTP/1.1 server on asyncio's
streams instead of the tests' thread per connection. The model shares the benchmark's two cores with the app it
serves, where a workspace's model endpoint does not run on the app's cores, so it should cost as little as it can:
the threaded server took a quarter of a core at ~400 model calls/s, aiohttp's ~0.33 ms of CPU per call, this one
less (measured from /proc, README's performance section).

It speaks what the app's model clients send: POST with a Content-Length body, keep-alive, one request at a time
per connection. Anything else closes the connection.
"""

import argparse
import asyncio
import json
import socket
import sys
from http import HTTPStatus
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fake_llm import Timing, chat_reply, responses_reply  # noqa: E402
from workspace_server import Recorded  # noqa: E402

ROUTES = ("/serving-endpoints", "/v1")


def _head(status: int, *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1")


async def _answer(timing: Timing, path: str, body: bytes, writer: asyncio.StreamWriter) -> None:
    route = chat_reply if path.endswith("/chat/completions") else responses_reply
    reply = route(Recorded("POST", path, {}, body), timing)
    await asyncio.sleep(reply.delay)
    if reply.events is None:
        payload = json.dumps(reply.body).encode()
        writer.write(_head(reply.status, "Content-Type: application/json", f"Content-Length: {len(payload)}")
                     + payload)
        return
    writer.write(_head(reply.status, "Content-Type: text/event-stream", "Transfer-Encoding: chunked"))
    for event, delay in zip(reply.events, reply.delays or [0.0] * len(reply.events)):
        if delay:
            await asyncio.sleep(delay)
        writer.write(b"%x\r\n%s\r\n" % (len(event), event))
    writer.write(b"0\r\n\r\n")


def _known(method: str, path: str) -> bool:
    return method == "POST" and path.startswith(ROUTES) and path.endswith(("/chat/completions", "/responses"))


async def _connection(timing: Timing, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # asyncio sets TCP_NODELAY only on sockets made with IPPROTO_TCP, and socket.create_server's are not: without it
    # the end of a streamed answer waits for the client's delayed ACK (40 ms).
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, path, _ = head[0].split(" ", 2)
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            if not _known(method, path):
                writer.write(_head(404, "Content-Length: 0"))
            else:
                await _answer(timing, path, body, writer)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass  # the client closed the connection, or sent what this server does not speak
    finally:
        writer.close()


async def serve(timing: Timing) -> None:
    # The app under test opens a connection per concurrent model call: a backlog of 1024 takes them all at once.
    sock = socket.create_server(("127.0.0.1", 0), backlog=1024)
    server = await asyncio.start_server(lambda r, w: _connection(timing, r, w), sock=sock)
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--first-token", type=float, default=0.1)
    parser.add_argument("--between-tokens", type=float, default=0.0)
    parser.add_argument("--words-per-token", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(serve(Timing(args.first_token, args.between_tokens, args.words_per_token)))


if __name__ == "__main__":
    main()
