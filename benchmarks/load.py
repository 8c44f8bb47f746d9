"""Load generator, run as its own process: N clients send requests back to back for a fixed time.

Prints one JSON object: requests/s, latency percentiles, time to first token (streaming), errors, and this
process's own CPU use (it shares the machine with the server it measures). The clients share one aiohttp session:
httpx's async connection pool costs CPU per open connection (the cost the migrated app's clients avoid the same
way), and at 128 clients that took most of a core here, from the server being measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time

import aiohttp

BODY = {"input": [{"role": "user", "content": "where is order 42"}]}


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def one(session: aiohttp.ClientSession, url: str, stream: bool, body: dict) -> tuple[float, float | None]:
    start = time.perf_counter()
    if not stream:
        async with session.post(url, json=body) as response:
            response.raise_for_status()
            await response.read()
        return time.perf_counter() - start, None
    first = None
    async with session.post(url, json={**body, "stream": True}) as response:
        response.raise_for_status()
        async for line in response.content:
            if first is None and line.startswith(b"data:"):
                first = time.perf_counter() - start
    return time.perf_counter() - start, first


async def run(url: str, path: str, clients: int, duration: float, stream: bool, warmup: int) -> dict:
    """Clients start spread over one request's time, as independent users arrive, then send requests back to back.
    Counted: the requests that finish within `duration` seconds after that ramp. Started all at once, the clients
    would stay in step (every request of a round arriving together), and counting to the last one's end would add
    up to one request time of tail to the run: both made a slow model's throughput look up to a fifth lower."""
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        target = url + path
        single = 0.0
        for _ in range(warmup):
            single, _ = await one(session, target, stream, BODY)
        latencies, ttft, errors = [], [], []
        completed = warmup
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        window_start = started + single
        stop = window_start + duration

        async def worker(index: int):
            nonlocal completed
            await asyncio.sleep(single * index / clients)
            while time.perf_counter() < stop:
                try:
                    latency, first = await one(session, target, stream, BODY)
                except Exception as exc:  # counted, and the first few kept for the report
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                completed += 1
                if window_start <= time.perf_counter() <= stop:
                    latencies.append(latency)
                    if first is not None:
                        ttft.append(first)

        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "clients": clients, "stream": stream, "requests": len(latencies), "seconds": duration,
        "completed": completed,
        "rps": round(len(latencies) / duration, 1),
        "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
        "ttft_p50": percentile(ttft, 50), "errors": len(errors), "error_examples": errors[:3],
        "load_cpu_percent": round(100 * cpu / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--path", default="/invocations")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.path, args.clients, args.duration, args.stream, args.warmup))))


if __name__ == "__main__":
    main()
