"""Load benchmark: dwhkit's COPY emulation against Postgres's own CSV COPY, measured in one run.

    python -m bench                         # 1 M STEDI-shaped JSON rows and 1 M Criteo-shaped CSV rows
    python -m bench --rows 200000 --dataset stedi --methods reference,dwhkit-s3

Every method loads the same deterministic rows into the same empty table on a throwaway embedded
Postgres; each runs in its own process so its peak RSS is its own. Prints rows/s, the ratio to
Postgres's server-side CSV COPY of the same rows (the reference), and peak RSS.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench import datasets, methods


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _child(method, ctx, queue):
    try:
        rows, seconds = method(ctx)
        queue.put(("ok", rows, seconds))
    except Exception as exc:  # reported in the table, the run goes on
        queue.put(("error", f"{type(exc).__name__}: {exc}", 0))


def run_measured(method, ctx) -> dict:
    """Run one method in a child process, sampling its RSS (and its children's) every 20 ms."""
    queue: mp.Queue = mp.Queue()
    proc = mp.get_context("fork").Process(target=_child, args=(method, ctx, queue))
    proc.start()
    peak = 0
    ps = psutil.Process(proc.pid)
    while proc.is_alive():
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    proc.join()
    status, a, b = queue.get() if not queue.empty() else ("error", f"exit code {proc.exitcode}", 0)
    if status != "ok":
        return {"error": a, "peak_mb": peak / 2**20}
    return {"rows": a, "seconds": b, "rows_per_s": a / b if b else 0.0, "peak_mb": peak / 2**20}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--dataset", choices=["stedi", "criteo", "all"], default="all")
    p.add_argument("--files", type=int, default=1, help="split the input into this many objects")
    p.add_argument("--methods", default="", help="comma-separated subset (default: all for the dataset)")
    p.add_argument("--peer-rows", type=int, default=100_000, help="rows for the slow peers (pandas, execute_values)")
    args = p.parse_args(argv)

    from dwhkit.targets.embedded import EmbeddedServer

    work = Path(tempfile.mkdtemp(prefix="dwhkit-bench-", dir="/tmp"))
    work.chmod(0o755)
    server = EmbeddedServer(work / "pg")
    info = server.start()
    from moto.server import ThreadedMotoServer

    s3_port = _free_port()
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    s3.start()
    os.environ.update({"AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{s3_port}", "AWS_ACCESS_KEY_ID": "bench",
                       "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"})
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB; "
          f"Postgres {server.root}; rows={args.rows:,}", flush=True)
    try:
        names = ["stedi", "criteo"] if args.dataset == "all" else [args.dataset]
        for name in names:
            ds = datasets.build(name, work / name, args.rows, args.files)
            ctx = methods.Context(dsn=info.dsn(), dataset=ds, peer_rows=min(args.peer_rows, args.rows))
            methods.prepare(ctx)
            chosen = [m for m in methods.METHODS[name] if not args.methods or m in args.methods.split(",")]
            results = {}
            for m in chosen:
                results[m] = run_measured(methods.REGISTRY[m], ctx)
                r = results[m]
                print(f"  {name:6} {m:28} " + (f"{r['rows_per_s']:>12,.0f} rows/s  peak {r['peak_mb']:6.0f} MB"
                                                if "error" not in r else f"ERROR {r['error']}"), flush=True)
            print_table(name, args.rows, results)
    finally:
        s3.stop()
        server.destroy()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def print_table(name: str, rows: int, results: dict) -> None:
    ref = results.get("reference", {}).get("rows_per_s")
    print(f"\n### {name}: {rows:,} rows\n")
    print("| method | rows/s | vs Postgres CSV COPY | peak RSS MB |")
    print("|---|---:|---:|---:|")
    for m, r in results.items():
        if "error" in r:
            print(f"| {m} | error: {r['error'][:60]} | | |")
            continue
        ratio = f"{r['rows_per_s'] / ref:.2f}" if ref else "n/a"
        print(f"| {m} | {r['rows_per_s']:,.0f} | {ratio} | {r['peak_mb']:.0f} |")
    print(flush=True)


if __name__ == "__main__":
    sys.exit(main())
