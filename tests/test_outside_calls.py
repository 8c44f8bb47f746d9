"""The watcher of direct connections that verify starts in both sides' Pythons: what it counts, what it leaves to
the proxy, and that the environment's own sitecustomize still runs."""

import subprocess
import sys
import textwrap

from http.server import BaseHTTPRequestHandler

from serving2apps.local_server import LoopbackHTTPServer
from serving2apps.outside_calls import OutsideCallsProxy

CONNECTS = textwrap.dedent("""
    import socket, sys
    outside, own = int(sys.argv[1]), int(sys.argv[2])
    for address in (("localhost", outside), ("127.0.0.1", own), ("localhost", outside)):
        socket.create_connection(address, timeout=10).close()
""")


def test_connections_by_name_are_counted_and_the_environments_own_sitecustomize_still_runs(tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "sitecustomize.py").write_text("import os\nos.environ['OWN_SITECUSTOMIZE'] = 'ran'\n")
    with LoopbackHTTPServer(BaseHTTPRequestHandler) as service, LoopbackHTTPServer(BaseHTTPRequestHandler) as ours, \
            OutsideCallsProxy() as outside:
        env = {"PATH": "", **outside.environment(python_path=str(own))}
        ports = [server.url.rsplit(":", 1)[1] for server in (service, ours)]
        run = subprocess.run([sys.executable, "-c", CONNECTS + "import os; print(os.environ['OWN_SITECUSTOMIZE'])\n"
                              "print(any(p.endswith('own') for p in sys.path), "
                              "any('serving2apps-outside' in p for p in sys.path))", *ports],
                             env=env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
    # The two connections made by name are counted; the one by loopback address (as verify reaches its own servers)
    # is not. The watcher's folder leaves sys.path, the app's stays.
    assert dict(outside.hosts) == {"localhost": 2}
    assert run.stdout.split() == ["ran", "True", "False"]
