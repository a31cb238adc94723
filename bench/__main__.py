"""Load benchmark: dwhkit's COPY emulation against Postgres's own CSV COPY, measured in one run.

    python -m bench                         # 1 M STEDI JSON + 1 M Criteo TSV rows, 1,000-file and 5 M-row runs
    python -m bench --rows 200000 --dataset stedi --methods reference,dwhkit-s3
    python -m bench --big-rows 20000000     # memory: 20 M rows in one object (~1.7 GB of JSON)

Every method loads the same deterministic rows into the same empty table on a throwaway embedded
Postgres; each runs in its own freshly spawned process, so its peak RSS is its own (the S3 server,
moto, runs as a process of its own and is not counted). Prints rows/s, the ratio to Postgres's CSV COPY FROM STDIN
of the same rows (the reference, run in the same session), and peak RSS, as markdown tables.
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench import datasets, methods


def run_measured(name, ctx) -> dict:
    """Run one method in a spawned child, sampling its RSS (and its children's) every 20 ms."""
    spawn = mp.get_context("spawn")
    queue = spawn.Queue()
    proc = spawn.Process(target=methods.child_main, args=(name, ctx, queue))
    proc.start()
    peak = 0
    ps = psutil.Process(proc.pid)
    result = None
    while proc.is_alive() and result is None:
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        try:
            result = queue.get(timeout=0.02)
        except Exception:  # noqa: BLE001 - queue.Empty
            pass
    if result is None:
        try:
            result = queue.get(timeout=1)
        except Exception:  # noqa: BLE001
            result = ("error", f"exit code {proc.exitcode}", 0, 0)
    proc.join()
    status, a, b, maxrss = result
    peak = max(peak, maxrss)
    if status != "ok":
        return {"error": a, "peak_mb": peak / 2**20}
    return {"rows": a, "seconds": b, "rows_per_s": a / b if b else 0.0, "peak_mb": peak / 2**20}


def _best(runs: list[dict]) -> dict:
    """Best rows/s of the runs (the machine is shared; noise only ever slows a run down), with the
    highest peak RSS seen and the load average after the best run."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[0]
    best = dict(max(ok, key=lambda r: r["rows_per_s"]))
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    best["runs"] = len(runs)
    return best


def _run_section(title, ctx, names, results_key, all_results, expected_rows, repeat=1):
    """Every method of the section, ``repeat`` rounds interleaved (the order reversed every other
    round), so the reference and dwhkit see the same machine load; slow peers run once."""
    runs: dict = {m: [] for m in names}
    for r in range(repeat):
        for m in (names if r % 2 == 0 else list(reversed(names))):
            if r and not (m == "reference" or m.startswith("dwhkit")):
                continue
            one = run_measured(m, ctx)
            one["load"] = os.getloadavg()[0]
            runs[m].append(one)
            print(f"  {title:28} {m:26} round {r + 1} " +
                  (f"{one['rows_per_s']:>12,.0f} rows/s  {one['seconds']:7.2f} s  peak {one['peak_mb']:6.0f} MB  "
                   f"load {one['load']:.2f}" if "error" not in one else f"ERROR {one['error']}"), flush=True)
    results = {}
    for m in names:
        r = _best(runs[m])
        if "error" not in r and m in ("reference",) + tuple(x for x in names if x.startswith("dwhkit")) \
                and r["rows"] != expected_rows:
            r = {"error": f"loaded {r['rows']:,} rows, expected {expected_rows:,}", "peak_mb": r["peak_mb"]}
        results[m] = r
    all_results[results_key] = results
    return results


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--dataset", choices=["stedi", "criteo", "all"], default="all")
    p.add_argument("--methods", default="", help="comma-separated subset (default: all for the dataset)")
    p.add_argument("--peer-rows", type=int, default=100_000, help="rows for the slow peers (pandas, execute_values)")
    p.add_argument("--many-files", type=int, default=1000, help="many-small-files run: objects (0 = skip)")
    p.add_argument("--repeat", type=int, default=3,
                   help="runs of the reference and dwhkit methods; the best is reported (shared machines)")
    p.add_argument("--big-rows", type=int, default=5_000_000,
                   help="memory run: rows in one object, a multiple of --rows (0 = skip)")
    args = p.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from dwhkit.targets.embedded import EmbeddedServer

    work = Path(tempfile.mkdtemp(prefix="dwhkit-bench-", dir="/tmp"))
    work.chmod(0o755)
    server = EmbeddedServer(work / "pg")
    info = server.start()
    from bench.common import start_moto

    s3, _ = start_moto(work)          # its own process: its GIL is not shared with the RSS sampling loop
    load = os.getloadavg()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, Python {platform.python_version()}; "
          f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; rows={args.rows:,}", flush=True)
    t_start = time.monotonic()
    all_results: dict = {}
    try:
        names = ["stedi", "criteo"] if args.dataset == "all" else [args.dataset]
        for name in names:
            t0 = time.monotonic()
            ds = datasets.build(name, work / name, args.rows, 1)
            print(f"{name}: built {args.rows:,} rows in {time.monotonic() - t0:.0f} s", flush=True)
            ctx = methods.Context(dsn=info.dsn(), dataset=ds, peer_rows=min(args.peer_rows, args.rows),
                                  s3_prefix=f"s3://{methods.BUCKET}/{name}/one/")
            methods.prepare(ctx)
            chosen = [m for m in methods.METHODS[name] if not args.methods or m in args.methods.split(",")]
            _run_section(f"{name} 1 object", ctx, chosen, (name, "one"), all_results, args.rows, args.repeat)
            if args.many_files:
                many = datasets.split(ds, work / f"{name}-many", args.many_files)
                mctx = methods.Context(dsn=info.dsn(), dataset=many, peer_rows=0,
                                       s3_prefix=f"s3://{methods.BUCKET}/{name}/many/")
                methods.prepare(mctx)
                _run_section(f"{name} {len(many.inputs)} objects", mctx, methods.MANY_FILES_METHODS,
                             (name, "many"), all_results, args.rows, args.repeat)
            if args.big_rows and name == "stedi":
                times = max(1, args.big_rows // args.rows)
                big = datasets.repeat(ds, work / f"{name}-big", times)
                bctx = methods.Context(dsn=info.dsn(), dataset=big, peer_rows=0,
                                       s3_prefix=f"s3://{methods.BUCKET}/{name}/big/")
                methods.prepare(bctx)
                _run_section(f"{name} {big.rows:,} rows", bctx, methods.MEMORY_METHODS, (name, "big"),
                             all_results, big.rows)
                for path in big.inputs:
                    path.unlink()
            print_tables(name, args, all_results)
    finally:
        s3.terminate()
        s3.wait(10)
        server.destroy()
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(f"total {time.monotonic() - t_start:.0f} s; load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


def print_tables(name: str, args, all_results: dict) -> None:
    one = all_results.get((name, "one"), {})
    ref = one.get("reference", {}).get("rows_per_s")
    print(f"\n### {name}: {args.rows:,} rows (reference: Postgres CSV COPY FROM STDIN of the same rows; "
          f"best of {args.repeat} for the reference and dwhkit, load average now {os.getloadavg()[0]:.2f})\n")
    print("| run | method | rows/s | vs Postgres CSV COPY | peak RSS MB | load avg (1 min) after the best run |")
    print("|---|---|---:|---:|---:|---:|")
    for key, label in (("one", "1 object"), ("many", f"{args.many_files} objects"), ("big", "big object")):
        for m, r in all_results.get((name, key), {}).items():
            run = label if key != "big" else f"{r.get('rows', 0):,} rows"
            if "error" in r:
                print(f"| {run} | {m} | error: {r['error'][:60]} | | {r['peak_mb']:.0f} | |")
                continue
            ratio = f"{r['rows_per_s'] / ref:.2f}" if ref else "n/a"
            print(f"| {run} | {m} | {r['rows_per_s']:,.0f} | {ratio} | {r['peak_mb']:.0f} | {r.get('load', 0):.1f} |")
    print()
    fast = one.get("dwhkit-s3", {}).get("rows_per_s")
    goals = []
    if ref and fast:
        want = 1.0 if name == "stedi" else 0.95
        goals.append(f"dwhkit-s3 / reference = {fast / ref:.2f} (goal ≥ {want})")
    pandas = one.get("pandas-to_sql", {}).get("rows_per_s")
    if pandas and fast:
        goals.append(f"dwhkit-s3 / pandas.to_sql = {fast / pandas:.0f}× (goal ≥ 25×)")
    many = all_results.get((name, "many"), {})
    for m in ("dwhkit-s3", "dwhkit-s3-botocore", "dwhkit-local"):
        a, b = one.get("dwhkit-s3" if m == "dwhkit-s3-botocore" else m, {}).get("seconds"), many.get(m, {}).get("seconds")
        if a and b:
            goals.append(f"{m}: {args.many_files} objects take {b / a:.2f}× the time of 1 object (goal ≤ 1.5)")
    peaks = [r["peak_mb"] for k in ("one", "big") for m, r in all_results.get((name, k), {}).items()
             if m.startswith("dwhkit") and m != "dwhkit-exact-local" and "error" not in r]
    if peaks:
        goals.append(f"dwhkit peak RSS ≤ {max(peaks):.0f} MB across input sizes (goal < 300 MB)")
    for g in goals:
        print(f"- {g}")
    print(flush=True)


if __name__ == "__main__":
    sys.exit(main())
