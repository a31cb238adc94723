"""The body of `dwh serve`: start, say where, run until SIGTERM/SIGINT."""
from __future__ import annotations

import signal
import sys
import threading


def run(config, *, host=None, port=None, tls: bool = False) -> int:
    from . import make_server

    server = make_server(config, tls=tls, host=host, port=port).start()
    done = threading.Event()

    def stop(_signum, _frame):
        done.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        host_, port_ = server.address
        print(f"listening on {host_}:{port_}" + (" (TLS)" if tls else ""), flush=True)
        while not done.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    print("stopped", file=sys.stderr, flush=True)
    return 0
