"""Serves the app with several worker processes, each accepting connections on a listening socket of its own.

`start-server --workers N` runs this (N > 1). uvicorn's own --workers shares one listening socket among the workers,
and Linux then hands each new connection to whichever worker's event loop asks first: most often the one that has
just been busy. Clients that keep their connections open (the Apps proxy, a load test) stay with the worker that
accepted them. Measured on 2 cores with 128 kept-alive clients: 127 connections went to one worker and 1 to the
other, and two workers served no more than one. Here each worker listens on its own socket with SO_REUSEPORT, and
the kernel spreads new connections over the workers evenly.

The parent process only supervises. It starts the workers, stops them on SIGINT or SIGTERM, starts a new worker
when one dies after it began serving, and stops with the worker's exit status when one dies before (a worker that
cannot import the agent fails the same way every time). It keeps the port bound without listening on it, so a
port another program holds is reported at once and no connection is handed to the parent.
"""

import argparse
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event

import uvicorn

logger = logging.getLogger("uvicorn.error")

# How long stopping workers may finish the requests they are answering before they are killed.
STOP_GRACE_SECONDS = 30


def bound_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port that other sockets with SO_REUSEPORT can share; not listening yet."""
    # IPPROTO_TCP as getaddrinfo gives it: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on the connections
    # of such a socket, and without that a response written in two parts (uvicorn writes the head, then the body)
    # waited for the client's delayed acknowledgement, ~40 ms per answer.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def serve_one(config: uvicorn.Config, started: Event) -> None:
    """One worker process: its own socket, which starts listening once the app is imported (uvicorn's start-up), so
    no connection waits in the queue of a worker that is still importing the agent."""
    config.configure_logging()  # a spawned process starts with Python's defaults
    server = uvicorn.Server(config)

    def report_started() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            started.set()

    threading.Thread(target=report_started, daemon=True).start()
    # The agent is imported here, before the event loop starts (uvicorn would import it inside the loop): an agent
    # file may run coroutines to completion at import (asyncio.run, run_until_complete), as it could when Model
    # Serving loaded it, and inside a running loop those raise.
    config.load()
    server.run(sockets=[bound_socket(config.host, config.port)])


class Workers:
    def __init__(self, config: uvicorn.Config, count: int) -> None:
        self.config = config
        self.count = count
        self.context = multiprocessing.get_context("spawn")
        self.stopping = threading.Event()
        self.processes: list[tuple[BaseProcess, Event]] = []

    def start_one(self) -> tuple[BaseProcess, Event]:
        started = self.context.Event()
        process = self.context.Process(target=serve_one, args=(self.config, started), daemon=False)
        process.start()
        return process, started

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stopping.set())
        self.processes = [self.start_one() for _ in range(self.count)]
        status = 0
        while not self.stopping.wait(0.5):
            for index, (process, started) in enumerate(self.processes):
                if process.is_alive():
                    continue
                if not started.is_set():
                    logger.error("Worker process [%s] stopped before it began serving (exit status %s); its error "
                                 "is above. Stopping.", process.pid, process.exitcode)
                    status = process.exitcode or 1
                    self.stopping.set()
                    break
                logger.warning("Worker process [%s] died (exit status %s); starting another.",
                               process.pid, process.exitcode)
                self.processes[index] = self.start_one()
        self.stop_all()
        return status

    def stop_all(self) -> None:
        for process, _ in self.processes:
            if process.is_alive():
                process.terminate()  # uvicorn's graceful shutdown
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process, _ in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the app with several worker processes.")
    parser.add_argument("app", help="the ASGI app as module:attribute")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args(argv)
    config = uvicorn.Config(args.app, host=args.host, port=args.port)  # also sets up uvicorn's logging here
    try:
        reserved = bound_socket(args.host, args.port)
    except OSError as error:
        logger.error("Cannot listen on %s:%s (%s). Stop what uses the port or pass another --port.",
                     args.host, args.port, error.strerror or error)
        sys.exit(1)
    logger.info("Serving on http://%s:%s with %s worker processes [parent %s]", args.host, args.port, args.workers,
                os.getpid())
    with reserved:
        sys.exit(Workers(config, args.workers).run())


if __name__ == "__main__":
    main()
