"""Helpers shared by the candidate benchmarks (bench/candidates.py, pg_parse.py, small_objects.py).

``pin_dwhkit()``: several engineers edit dwhkit/ in this checkout while benchmarks run, so a
benchmark may measure a frozen copy of the committed tree instead (``git archive HEAD dwhkit``
into /tmp, first on sys.path; spawned children inherit sys.path). ``DWH_BENCH_TREE=work`` measures
the working tree as it is.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pin_dwhkit() -> str:
    """Put a snapshot of HEAD's dwhkit first on sys.path (before anything imports dwhkit).
    Returns a description of what is measured."""
    if os.environ.get("DWH_BENCH_TREE", "head") == "work":
        return "dwhkit: working tree"
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    dest = Path(tempfile.gettempdir()) / f"dwhkit-bench-head-{head}"
    if not (dest / "dwhkit" / "__init__.py").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD", "dwhkit"], capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    if "dwhkit" in sys.modules:
        raise RuntimeError("pin_dwhkit() must run before dwhkit is imported")
    sys.path.insert(0, str(dest))
    return f"dwhkit: committed HEAD {head} (snapshot {dest})"


def start_postgres(work: Path):
    """A throwaway embedded Postgres (as tests/conftest.py's pg_server and bench/__main__ do).
    SIGTERM (``timeout``) becomes SystemExit, so the caller's ``finally`` destroys the server."""
    import signal

    from dwhkit.targets.embedded import EmbeddedServer

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = EmbeddedServer(work / "pg")
    return server, server.start()


def dwhkit_connect(dsn: dict):
    """dwhkit's public API on a plain Postgres target (the throwaway server)."""
    import dwhkit
    from dwhkit.config import ClusterConfig, Config, Secret

    cfg = Config(path=None, target_type="postgres",
                 cluster=ClusterConfig(host=dsn["host"], port=int(dsn["port"]), db_name=dsn["dbname"],
                                       db_user=dsn["user"], db_password=Secret(dsn["password"] or "")))
    return dwhkit.connect(cfg)


def load_str() -> str:
    a = os.getloadavg()
    return f"{a[0]:.2f} {a[1]:.2f} {a[2]:.2f}"
