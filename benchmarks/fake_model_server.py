"""The tests' fake OpenAI-compatible model, served from its own process for the benchmarks.

Prints its URL on stdout, then serves until killed. Timing comes from the command line.
"""

import argparse
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fake_llm import Timing, install_fake_llm  # noqa: E402
from workspace_server import WorkspaceServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--first-token", type=float, default=0.1)
    parser.add_argument("--between-tokens", type=float, default=0.0)
    parser.add_argument("--words-per-token", type=int, default=1)
    args = parser.parse_args()
    server = WorkspaceServer(token="benchmark-token")
    server.requests = _Discard()  # a benchmark sends too many requests to keep them all
    install_fake_llm(server, Timing(args.first_token, args.between_tokens, args.words_per_token))
    with server:
        print(server.url, flush=True)
        threading.Event().wait()


class _Discard(list):
    def append(self, item):
        pass


if __name__ == "__main__":
    main()
