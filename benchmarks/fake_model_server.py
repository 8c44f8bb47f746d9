"""The tests' fake OpenAI-compatible model, served from its own process for the benchmarks.

Prints its URL on stdout, then serves until killed. Timing comes from the command line. The answers and their
timing are the tests' (tests/fake_llm.py); only the HTTP server differs: aiohttp on one event loop instead of the
tests' thread per connection. The model shares the benchmark's two cores with the app it serves, and the threaded
server took a quarter of a core at ~400 model calls/s (measured from /proc) against under a tenth for this one: a
workspace's model endpoint does not run on the app's cores.
"""

import argparse
import asyncio
import json
import socket
import sys
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fake_llm import Timing, chat_reply, responses_reply  # noqa: E402
from workspace_server import Recorded  # noqa: E402


def app(timing: Timing) -> web.Application:
    async def answer(request: web.Request) -> web.StreamResponse:
        route = chat_reply if request.path.endswith("/chat/completions") else responses_reply
        reply = route(Recorded("POST", request.path, dict(request.headers), await request.read()), timing)
        await asyncio.sleep(reply.delay)
        if reply.events is None:
            return web.Response(status=reply.status, text=json.dumps(reply.body), content_type="application/json")
        response = web.StreamResponse(status=reply.status, headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for event, delay in zip(reply.events, reply.delays or [0.0] * len(reply.events)):
            if delay:
                await asyncio.sleep(delay)
            await response.write(event)
        await response.write_eof()
        return response

    application = web.Application()
    for prefix in ("/serving-endpoints", "/v1"):
        application.router.add_post(f"{prefix}/chat/completions", answer)
        application.router.add_post(f"{prefix}/responses", answer)
    return application


async def serve(timing: Timing) -> None:
    runner = web.AppRunner(app(timing), access_log=None)
    await runner.setup()
    # The app under test opens a connection per concurrent model call: a backlog of 1024 takes them all at once.
    sock = socket.create_server(("127.0.0.1", 0), backlog=1024)
    await web.SockSite(runner, sock).start()
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--first-token", type=float, default=0.1)
    parser.add_argument("--between-tokens", type=float, default=0.0)
    parser.add_argument("--words-per-token", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(serve(Timing(args.first_token, args.between_tokens, args.words_per_token)))


if __name__ == "__main__":
    main()
