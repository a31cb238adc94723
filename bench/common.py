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
    """Put a snapshot of HEAD's dwhkit (or of the revision in DWH_BENCH_REV, to measure an earlier
    one) first on sys.path (before anything imports dwhkit). Returns a description of what is
    measured."""
    if os.environ.get("DWH_BENCH_TREE", "head") == "work":
        return "dwhkit: working tree"
    rev = os.environ.get("DWH_BENCH_REV", "HEAD")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev], capture_output=True,
                          text=True, check=True).stdout.strip()
    dest = Path(tempfile.gettempdir()) / f"dwhkit-bench-head-{head}"
    if not (dest / "dwhkit" / "__init__.py").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", head, "dwhkit"], capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    if "dwhkit" in sys.modules:
        raise RuntimeError("pin_dwhkit() must run before dwhkit is imported")
    sys.path.insert(0, str(dest))
    return f"dwhkit: committed {rev} {head} (snapshot {dest})"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(work: Path):
    """moto's S3 server as its own process on 127.0.0.1 (as the tests run it, through
    ``dwhkit.testing.local_s3``), so its CPU is measured apart and its GIL is not shared with the
    benchmark's own sampling loop; this process's AWS_* environment (inherited by spawned
    children) points boto3 at it. Returns (Popen, url)."""
    import time

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dwhkit.testing.local_s3", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
    url = f"http://127.0.0.1:{port}"
    os.environ.update({"AWS_ENDPOINT_URL_S3": url, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "us-east-1"})
    for k in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(k, None)
    import urllib3
    for _ in range(100):
        try:
            urllib3.request("GET", url + "/", timeout=0.5, retries=False)
            break
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.1)
    return proc, url


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
