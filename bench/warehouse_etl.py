"""Warehouse ETL benchmark: end-to-end seconds of ``etl.py`` as a user runs it, then where they go.

    python -m bench.warehouse_etl                          # STEDI real v2023 data + the Criteo sample
    python -m bench.warehouse_etl --warehouse stedi --runs 5
    python -m bench.warehouse_etl --baseline HEAD          # also time the committed tree, same server
    python -m bench.warehouse_etl --explain 3              # EXPLAIN ANALYZE the 3 slowest statements

For each warehouse, on a throwaway embedded Postgres (``[TARGET] type = embedded``, the default):
``create_tables.py``, then ``etl.py --json`` run ``--runs`` times in fresh processes; the first run
is cold, the best of the others is the **warm** end-to-end figure. Each run also reports CPU
seconds of etl.py and of the server (every backend and parallel worker): on a shared machine those
move less with other people's load than wall time does, and the load average goes with every figure.
Then a fingerprint of every table (row count and an order-independent checksum of its rows), which
must be the same for every tree. Then, in this process, each statement of the steps and of the
report (reconciliation, checks) is timed: translation (Redshift SQL → Postgres, done once per
statement per process) apart from execution; the slowest are shown with EXPLAIN ANALYZE (costs on,
so Postgres's JIT compilation time shows).

``--baseline REV`` exports the tree at REV with ``git archive`` (read-only: no worktree, no checkout)
and runs its ``create_tables.py`` and ``etl.py`` on the same server before the working tree's.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PYTHON = sys.executable


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def lake_for(warehouse: str, work: Path, criteo_rows: int) -> Path:
    """The data the tests use: STEDI's real v2023 landing data; the Criteo and energy samples."""
    if warehouse == "stedi":
        return SHARED / "data" / "stedi" / "v2023_reduced"
    from dwhkit.warehouses import get_warehouse

    if warehouse == "criteo":
        from dwhkit.warehouses.criteo.sample import generate_sample

        return generate_sample(work / "lake-criteo", rows=criteo_rows)
    return get_warehouse(warehouse).generate_sample(work / f"lake-{warehouse}")


def _entry(tree: Path, script: str, cfg: Path, warehouse: str, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}  # the tree's own dwhkit, before the installed one
    return subprocess.run([PYTHON, str(tree / script), "--config", str(cfg), "--warehouse", warehouse, *extra],
                          cwd=tree, env=env, capture_output=True, text=True)


def _cpu(cfg: Path) -> tuple[float, float]:
    """CPU seconds so far of this process's finished children (etl.py) and of the server: the
    postmaster's own plus its reaped children's (every backend and parallel worker that exited).
    Unlike wall time, these do not grow with other people's load on a shared machine."""
    import resource

    import psutil

    from dwhkit.targets.embedded import EmbeddedServer

    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    pid = int(EmbeddedServer(cfg.parent / "pg").pid_file.read_text().split()[0])
    t = psutil.Process(pid).cpu_times()
    return kids.ru_utime + kids.ru_stime, t.user + t.system + t.children_user + t.children_system


def end_to_end(trees: dict[str, Path], cfg: Path, warehouse: str, lake: Path, runs: int) -> dict[str, dict]:
    """Per tree, in turn: create_tables.py, then etl.py ``runs`` times — (wall seconds, load, the
    report's step seconds) of each run — and the fingerprint of the tables its last run left."""
    from dwhkit.config import load_config

    config = load_config(cfg).with_overrides(warehouse=warehouse)
    out: dict[str, dict] = {}
    for name, tree in trees.items():
        made = _entry(tree, "create_tables.py", cfg, warehouse)
        if made.returncode:
            raise SystemExit(f"{name}: create_tables.py failed:\n{made.stderr[-2000:]}")
        results = []
        for _ in range(runs):
            load = _load()
            start, cpu = time.perf_counter(), _cpu(cfg)
            done = _entry(tree, "etl.py", cfg, warehouse, "--lake", str(lake), "--json")
            wall = time.perf_counter() - start
            client, server = (b - a for a, b in zip(cpu, _cpu(cfg)))
            if done.returncode:
                raise SystemExit(f"{name}: etl.py failed:\n{done.stderr[-2000:]}")
            report = json.loads(done.stdout)
            if not report["passed"]:
                raise SystemExit(f"{name}: checks failed: {[c for c in report['checks'] if not c['passed']]}")
            results.append((wall, load, {s["step"]: s["seconds"] for s in report["steps"]}, client, server))
        out[name] = {"runs": results, "fingerprint": fingerprint(config, warehouse)}
    return out


def breakdown(config, warehouse: str, lake: Path) -> list[tuple]:
    """Every statement of the ETL and of the report, in order: (step, statement, translate s,
    execute s). Translation is timed by asking for it first (it is cached for the execute)."""
    from dwhkit.app import target_for
    from dwhkit.compat.split import first_keyword
    from dwhkit.compat.translate import to_postgres
    from dwhkit.pipeline import etl_steps
    from dwhkit.quality import distinct_queries
    from dwhkit.warehouses import get_warehouse

    wh = get_warehouse(warehouse).bind(config)
    conn = target_for(config).connect()
    timings = []
    try:
        cur = conn.cursor()
        for step in etl_steps(wh, str(lake)):
            for stmt in step.statements:
                t0 = time.perf_counter()
                if first_keyword(stmt) != "COPY":
                    to_postgres(stmt, catalog=conn.executor.catalog)
                t1 = time.perf_counter()
                cur.execute(stmt)
                timings.append((step.name, stmt, t1 - t0, time.perf_counter() - t1))
            conn.commit()
        report = [("report: reconciliation", sql) for _, sql in wh.reconciliation]
        report += [("report: checks", sql) for sql in distinct_queries(wh.checks)]
        for name, stmt in report:
            t0 = time.perf_counter()
            to_postgres(stmt, catalog=conn.executor.catalog)
            t1 = time.perf_counter()
            cur.execute(stmt)
            cur.fetchall()
            timings.append((name, stmt, t1 - t0, time.perf_counter() - t1))
        conn.commit()
    finally:
        conn.close()
    return timings


def fingerprint(config, warehouse: str) -> dict[str, tuple[int, str]]:
    """(rows, md5 of the sorted row md5s) of each table: equal iff the same rows (keys included)."""
    from dwhkit.app import target_for
    from dwhkit.identifiers import quote_ident
    from dwhkit.warehouses import get_warehouse

    conn = target_for(config).connect()
    out = {}
    try:
        raw = conn.raw.cursor()
        for name in get_warehouse(warehouse).table_names:
            raw.execute(f"SELECT COUNT(*), MD5(COALESCE(STRING_AGG(h, '' ORDER BY h), '')) "
                        f"FROM (SELECT MD5(t::text) AS h FROM {quote_ident(name)} t) x")
            out[name] = raw.fetchone()
        conn.raw.rollback()
    finally:
        conn.close()
    return out


def explain(config, warehouse: str, lake: Path, slow: list[tuple]) -> None:
    """EXPLAIN ANALYZE the slow statements: their step is replayed in one transaction (so earlier
    statements' effects are there), the slow ones explained, then everything rolled back."""
    from dwhkit.app import target_for
    from dwhkit.compat.split import first_keyword
    from dwhkit.pipeline import etl_steps
    from dwhkit.warehouses import get_warehouse

    wh = get_warehouse(warehouse).bind(config)
    # COPY is emulated by dwhkit, not planned by Postgres: nothing to explain
    wanted = {(s[0], s[1]) for s in slow if first_keyword(s[1]) != "COPY"}
    conn = target_for(config).connect()
    try:
        for step in etl_steps(wh, str(lake)):
            if not any(step.name == s for s, _ in wanted):
                continue
            cur = conn.cursor()
            for stmt in step.statements:
                if (step.name, stmt) not in wanted:
                    cur.execute(stmt)
                    continue
                _explain_one(conn, step.name, stmt)
            conn.rollback()
        for name, stmt in wanted:
            if name.startswith("report"):
                _explain_one(conn, name, stmt)
                conn.rollback()
    finally:
        conn.close()


def _explain_one(conn, name: str, stmt: str) -> None:
    from dwhkit.compat.translate import to_postgres

    raw = conn.raw.cursor()
    print(f"\n### {name}: {' '.join(stmt.split())[:110]}\n```")
    for pg in to_postgres(stmt, catalog=conn.executor.catalog):
        if pg.startswith("DO $dwhkit$"):  # the helper functions a translation needs come first
            prelude, _, pg = pg.partition("$dwhkit$;\n")
            raw.execute(prelude + "$dwhkit$")
        raw.execute("EXPLAIN (ANALYZE, SUMMARY) " + pg)  # costs on: the JIT section shows
        print("\n".join(r[0] for r in raw.fetchall()))
    print("```")


def _jit_off(cfg: Path) -> None:
    """jit = off for the bench database (its owner may set it), before any ETL connects."""
    from dwhkit.app import target_for
    from dwhkit.config import load_config
    from dwhkit.identifiers import quote_ident
    from dwhkit.targets.embedded import EmbeddedServer

    EmbeddedServer(cfg.parent / "pg").start()
    conn = target_for(load_config(cfg)).connect()
    try:
        raw = conn.raw.cursor()
        raw.execute("SELECT current_database()")
        raw.execute(f"ALTER DATABASE {quote_ident(raw.fetchone()[0])} SET jit = off")
        conn.raw.commit()
    finally:
        conn.close()


def export_tree(rev: str, dest: Path) -> Path:
    """The files of ``rev`` under ``dest`` (git archive: reads the repository, changes nothing)."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--warehouse", action="append", choices=["stedi", "criteo", "energy"],
                   help="repeatable; default: stedi and criteo")
    p.add_argument("--runs", type=int, default=4, help="etl.py runs per tree (the first is cold)")
    p.add_argument("--criteo-rows", type=int, default=100_000, help="the Criteo sample's size (the tests' 'sample')")
    p.add_argument("--baseline", help="git revision to time against (e.g. HEAD)")
    p.add_argument("--no-jit", action="store_true",
                   help="ALTER DATABASE … SET jit = off first: what the server setting would give (Redshift has no JIT)")
    p.add_argument("--explain", type=int, default=2, help="EXPLAIN ANALYZE the N slowest statements (0: none)")
    args = p.parse_args(argv)
    warehouses = args.warehouse or ["stedi", "criteo"]

    from dwhkit.config import load_config
    from dwhkit.targets.embedded import EmbeddedServer

    work = Path(tempfile.mkdtemp(prefix="dwhkit-bench-wh-", dir="/tmp"))
    work.chmod(0o755)
    cfg = work / "dwh.cfg"
    cfg.write_text(f"[TARGET]\ntype = embedded\n\n[EMBEDDED]\ndata_dir = {work / 'pg'}\n")
    trees = {"now": ROOT}
    if args.baseline:
        trees = {f"baseline {args.baseline}": export_tree(args.baseline, work / "baseline"), **trees}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {_load()} at start; "
          f"{args.runs} etl.py runs per tree (first cold); jit {'off (ALTER DATABASE)' if args.no_jit else 'as the embedded server sets it (off)'}\n")
    try:
        if args.no_jit:
            _jit_off(cfg)
        for warehouse in warehouses:
            lake = lake_for(warehouse, work, args.criteo_rows)
            print(f"## {warehouse} — lake {lake}\n")
            trees_out = end_to_end(trees, cfg, warehouse, lake, args.runs)
            print("| tree | run | wall s (etl.py, end to end) | steps s (report) | cpu s etl.py | cpu s server "
                  "| load 1/5 min |\n|---|---|---:|---:|---:|---:|---|")
            for name, out in trees_out.items():
                for i, (wall, load, steps, client, server) in enumerate(out["runs"]):
                    print(f"| {name} | {'cold' if i == 0 else f'warm {i}'} | {wall:.2f} | "
                          f"{sum(steps.values()):.2f} | {client:.2f} | {server:.2f} | {load} |")
            for name, out in trees_out.items():
                warm = min(out["runs"][1:] or out["runs"], key=lambda r: r[0])
                print(f"\n**{name}: warm end to end {warm[0]:.2f} s** ({warm[1]}; CPU {warm[3]:.2f} s etl.py + "
                      f"{warm[4]:.2f} s server); steps: "
                      + ", ".join(f"{k} {v:.2f}" for k, v in warm[2].items()))
            print("\nfingerprint after the last run (rows, md5 of the rows):")
            for table in next(iter(trees_out.values()))["fingerprint"]:
                cells = "  ".join(f"{out['fingerprint'][table][0]:>9} {out['fingerprint'][table][1][:12]}"
                                  for out in trees_out.values())
                print(f"  {table:<30} {cells}")
            prints = {json.dumps(out["fingerprint"], sort_keys=True) for out in trees_out.values()}
            print("results identical across trees" if len(prints) == 1 else "RESULTS DIFFER across trees")

            config = load_config(cfg).with_overrides(warehouse=warehouse)
            timings = breakdown(config, warehouse, lake)
            print(f"\nIn one process ({_load()}): seconds per step, translation apart from execution\n")
            print("| step | statements | translate s | execute s |\n|---|---:|---:|---:|")
            steps: dict[str, list[float]] = {}
            for name, _, tr, ex in timings:
                s = steps.setdefault(name, [0, 0.0, 0.0])
                s[0] += 1
                s[1] += tr
                s[2] += ex
            for name, (n, tr, ex) in steps.items():
                print(f"| {name} | {n} | {tr:.3f} | {ex:.3f} |")
            total_tr = sum(t[2] for t in timings)
            total_ex = sum(t[3] for t in timings)
            print(f"| **all** | {len(timings)} | {total_tr:.3f} | {total_ex:.3f} |")
            slow = sorted(timings, key=lambda t: -t[3])[:max(args.explain, 5)]
            print("\nslowest statements (execute s): " + "; ".join(
                f"{t[3]:.3f} {t[0]}: {' '.join(t[1].split())[:60]}…" for t in slow))
            if args.explain:
                explain(config, warehouse, lake, slow[:args.explain])
            print()
    finally:
        EmbeddedServer(work / "pg").destroy()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
