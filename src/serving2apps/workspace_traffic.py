"""What an agent sends to the workspace while it answers: recorded from the original model, replayed to the
migrated app, so both get the same model answers and any difference left in their own answers is the code's.

- RecordingProxy: the original model is pointed at it (DATABRICKS_HOST). It forwards every request to the real
  workspace, adding the profile's credentials itself (the model's process never holds them), and records the
  exchange: method, path, the JSON body normalised, the status and the reply (server-sent events one by one).
  Authorization headers and tokens are never recorded.
- ReplayServer: the migrated app is pointed at it. Each request gets the recorded reply whose method, path and
  normalised body match, each reply used once, in whatever order they come (independent parallel calls may
  swap). A request the original never made gets a 404 and is kept: the first is verify's diagnosis.
- With `offline`, the replay server answers model calls from serving2apps.offline_model instead, for both sides.

Normalised: ids, creation times and request ids are dropped (they differ on every run), keys sorted.
Not handled: calls that bypass the workspace host (a hard-coded URL, another provider) never reach these servers.
"""

from __future__ import annotations

import difflib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import httpx

# Relative imports: verify copies these modules into the app (tests/replay_support/) for the test it keeps.
from .local_server import LoopbackHTTPServer
from .offline_model import answer as offline_answer

_VOLATILE = {"id", "request_id", "created", "created_at", "timestamp", "trace_id", "span_id"}
# Headers the replayed side needs to read a reply; everything else (dates, server names, cookies) is left out.
_KEPT_HEADERS = ("content-type",)
_NOT_FORWARDED = {"host", "authorization", "content-length", "connection", "accept-encoding", "x-databricks-org-id"}


# Placeholder credentials for the side pointed at a recording or replay server: the real ones stay with the proxy.
PLACEHOLDER_TOKEN = "serving2apps-verify-placeholder"


def pointed_at(base: dict[str, str], url: str, scratch: Path) -> dict[str, str]:
    """The environment with every Databricks client pointed at `url`, holding no credential of the user's
    (`scratch` holds no Databricks config file, so none is read). Strings hash alike in every process given it, so
    what an agent builds from a set (its tools' names, say) comes out in the same order on both sides."""
    env = {k: v for k, v in base.items() if not k.startswith("DATABRICKS_")}
    env.update(DATABRICKS_HOST=url, DATABRICKS_TOKEN=PLACEHOLDER_TOKEN,
               DATABRICKS_CONFIG_FILE=str(scratch / "no-databrickscfg"), PYTHONHASHSEED="0")
    return env


# Values an agent makes afresh on every run and may write into what it sends (a uuid4() for a message or tool call,
# the time in a prompt): matched as placeholders, so the app's call finds the original's.
_RUN_VALUES = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b|\b[0-9a-f]{32}\b"
    r"|\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")


def normalise(body: bytes) -> object:
    """The request body as matched: JSON without the fields that differ on every run, and with uuids and times of day
    in its text as placeholders; other bodies as text."""
    if not body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in _VOLATILE}
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, str):
            return _RUN_VALUES.sub("<run value>", value)
        return value

    return strip(data)


def _key(method: str, path: str, request: object) -> tuple[str, str, str]:
    return method, path, json.dumps(request, sort_keys=True)


def sse_events(text: str) -> list[str]:
    """The data payloads of a server-sent event stream."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = [line[len("data:"):].lstrip() for line in block.split("\n") if line.startswith("data:")]
        if data:
            events.append("\n".join(data))
    return events


@dataclass
class Exchange:
    method: str
    path: str
    request: object
    status: int
    content_type: str = "application/json"
    body: str | None = None
    events: list[str] | None = None


@dataclass
class Recording:
    exchanges: list[Exchange] = field(default_factory=list)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"version": 1, "exchanges": [asdict(e) for e in self.exchanges]}, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> "Recording":
        data = json.loads(path.read_text())
        return cls([Exchange(**e) for e in data.get("exchanges", [])])


@dataclass
class Miss:
    """A request the replay had no recorded reply for."""

    method: str
    path: str
    request: object

    def describe(self, recording: Recording) -> str:
        """The call, and a short diff against the closest call the original made to the same place."""
        text = json.dumps(self.request, indent=1, sort_keys=True).splitlines()
        same_place = [e for e in recording.exchanges if (e.method, e.path) == (self.method, self.path)]
        if not same_place:
            return f"{self.method} {self.path}: the original never called it"
        closest = max(same_place, key=lambda e: difflib.SequenceMatcher(
            None, json.dumps(e.request, indent=1, sort_keys=True).splitlines(), text).ratio())
        diff = [line for line in difflib.unified_diff(
            json.dumps(closest.request, indent=1, sort_keys=True).splitlines(), text, "original", "migrated",
            lineterm="", n=0) if not line.startswith("@@")]
        return f"{self.method} {self.path}: its body differs from the original's:\n" + "\n".join(diff[:14])


class _LoopbackServer(LoopbackHTTPServer):
    """A loopback server whose requests go to `handle` (method and body read)."""

    def __init__(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                owner.handle(self, self.command, body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

            def log_message(self, *args):  # the agent's calls are not the user's log
                pass

        super().__init__(Handler)
        self.lock = threading.Lock()

    def handle(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        raise NotImplementedError

    @staticmethod
    def reply(handler: BaseHTTPRequestHandler, status: int, content_type: str, body: str | None,
              events: list[str] | None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        if events is None:
            data = (body or "").encode()
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        handler.end_headers()
        for event in events:
            handler.wfile.write(f"data: {event}\n\n".encode())
            handler.wfile.flush()


class RecordingProxy(_LoopbackServer):
    """Forwards to the workspace `workspace()` names (its host, and the headers that authenticate), and records
    every exchange. A failure to reach it is kept (`failure`) and answered 502."""

    def __init__(self, workspace: Callable[[], tuple[str, dict[str, str]]], timeout: float = 300):
        super().__init__()
        self.recording = Recording()
        self.failure: Exception | None = None
        self._workspace = workspace
        self._client = httpx.Client(timeout=timeout)

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        self._client.close()

    def handle(self, handler, method, body):
        path = urlsplit(handler.path).path
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _NOT_FORWARDED}
        headers["Accept-Encoding"] = "identity"  # the reply is recorded as the text the agent read
        try:
            with self.lock:
                host, credentials = self._workspace()
            headers.update(credentials)
            with self._client.stream(method, host.rstrip("/") + handler.path, headers=headers, content=body) as answer:
                content_type = answer.headers.get("content-type", "application/json")
                streamed = content_type.startswith("text/event-stream")
                handler.send_response(answer.status_code)
                handler.send_header("Content-Type", content_type)
                handler.end_headers()
                chunks = []
                for chunk in answer.iter_bytes():
                    chunks.append(chunk)
                    handler.wfile.write(chunk)
                    handler.wfile.flush()
        except Exception as exc:  # noqa: BLE001 - any failure is the agent's 502, and verify's error
            self.failure = self.failure or exc
            self.reply(handler, 502, "application/json", json.dumps(
                {"message": f"serving2apps verify could not reach the workspace: {exc}"}), None)
            return
        text = b"".join(chunks).decode("utf-8", "replace")
        exchange = Exchange(method, path, normalise(body), answer.status_code, content_type,
                            None if streamed else text, sse_events(text) if streamed else None)
        with self.lock:
            self.recording.exchanges.append(exchange)


class ReplayServer(_LoopbackServer):
    """Answers from `recording` (or, offline, from the offline model), and keeps the requests it could not."""

    def __init__(self, recording: Recording | None = None, offline: bool = False):
        super().__init__()
        self.recording = recording or Recording()
        self.offline = offline
        self.misses: list[Miss] = []
        self._unused: dict[tuple[str, str, str], list[Exchange]] = {}
        self._last: dict[tuple[str, str, str], Exchange] = {}  # the latest answer given to each request
        for exchange in self.recording.exchanges:
            self._unused.setdefault(_key(exchange.method, exchange.path, exchange.request), []).append(exchange)

    def handle(self, handler, method, body):
        path = urlsplit(handler.path).path
        if self.offline:
            model = offline_answer(method, path, body)
            if model.status == 404:
                with self.lock:
                    self.misses.append(Miss(method, path, normalise(body)))
            content_type = "text/event-stream" if model.events is not None else "application/json"
            self.reply(handler, model.status, content_type, json.dumps(model.body), model.events)
            return
        request = normalise(body)
        key = _key(method, path, request)
        with self.lock:
            waiting = self._unused.get(key)
            if waiting:
                exchange = self._last[key] = waiting.pop(0)
            else:
                # Asked once more than the original asked: a stream the app builds from predict (S2A111) makes
                # predict's calls again. The original's answer to the same request is what it would have got.
                exchange = self._last.get(key)
            if exchange is None:
                self.misses.append(Miss(method, path, request))
        if exchange is None:
            self.reply(handler, 404, "application/json", json.dumps(
                {"error_code": "NOT_FOUND", "message": "serving2apps verify: the original model never made this call"}),
                None)
            return
        self.reply(handler, exchange.status, exchange.content_type, exchange.body, exchange.events)
