"""Criteo ETL benchmark: seconds per step of the sample ETL, against a baseline in the same run.

    python -m bench.criteo_etl                       # 100,000 impressions; baseline = commit 46f8390
    python -m bench.criteo_etl --baseline none       # the current SQL only
    python -m bench.criteo_etl --rows 1000000 --no-jit --explain

The baseline is the warehouse's SQL (``sql.py`` and ``checks.py``) as of a git commit, loaded from
``git show`` into modules of its own. Each round, for each variant: create the tables, load the
sample (COPY), run the transformation steps on an empty warehouse (first run) and again (rerun, the
merge into an existing dim_category that must keep its keys), then the report's reconciliation
and checks. Rounds alternate the variants so machine load hits both alike; the best round is
reported. After each variant's rerun the resulting tables are fingerprinted, and the run fails if
the variants disagree (same rows, same keys, same marts).
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "46f8390"      # before the set-based category merge
FINGERPRINT = [
    "SELECT category_key, feature, value, impressions, clicks FROM dim_category ORDER BY 1",
    "SELECT feature, value, impressions, clicks, ROUND(CAST(ctr AS NUMERIC), 12), ROUND(CAST(lift AS NUMERIC), 12) "
    "FROM mart_ctr_by_category ORDER BY 1, 2",
    "SELECT feature, bucket_label, bucket, min_value, max_value, impressions, clicks FROM mart_ctr_by_int_bucket "
    "ORDER BY 1, 2",
]


def _module_at(rev: str, name: str, source_path: str):
    """A module of the criteo package as of ``rev`` (its relative imports resolve to today's
    package: only sql.py and checks.py are swapped)."""
    text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{source_path}"], check=True,
                          capture_output=True, text=True).stdout
    full = f"dwhkit.warehouses.criteo._baseline_{name}"
    spec = importlib.util.spec_from_loader(full, loader=None)
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = "dwhkit.warehouses.criteo"
    sys.modules[full] = mod
    exec(compile(text, f"{rev}:{source_path}", "exec"), mod.__dict__)
    return mod


def _baseline(rev: str):
    sql = _module_at(rev, "sql", "dwhkit/warehouses/criteo/sql.py")
    # checks.py imports from .sql: point that import at the baseline's sql for the exec
    real = sys.modules.get("dwhkit.warehouses.criteo.sql")
    sys.modules["dwhkit.warehouses.criteo.sql"] = sql
    try:
        checks = _module_at(rev, "checks", "dwhkit/warehouses/criteo/checks.py")
    finally:
        sys.modules["dwhkit.warehouses.criteo.sql"] = real
    return sql, checks


class Clock:
    """Wall seconds, and CPU seconds of this process plus the connection's server backend: on a
    shared machine the CPU figure is the one that does not move with other people's load."""

    def __init__(self, conn):
        import psutil

        cur = conn.raw.cursor()
        cur.execute("SELECT pg_backend_pid()")
        self.backend = psutil.Process(cur.fetchone()[0])
        conn.raw.commit()

    def now(self) -> tuple[float, float]:
        t = self.backend.cpu_times()
        return time.perf_counter(), time.process_time() + t.user + t.system

    def since(self, start) -> tuple[float, float]:
        wall, cpu = self.now()
        return wall - start[0], cpu - start[1]


def _timed_steps(conn, clock, steps) -> dict[str, tuple[float, float]]:
    from dwhkit.pipeline import run_step

    out = {}
    for step in steps:
        start = clock.now()
        run_step(conn, step)
        out[step.name] = clock.since(start)
    return out


def _timed_report(conn, clock, checks) -> dict[str, tuple[float, float]]:
    from dwhkit.quality import run_checks

    out = {}
    cur = conn.cursor()
    start = clock.now()
    for _, q in checks.RECONCILIATION:
        cur.execute(q)
        cur.fetchall()
    out["report: reconciliation"] = clock.since(start)
    start = clock.now()
    for result in run_checks(cur, checks.CHECKS):
        assert result.passed, result.name
    out["report: checks"] = clock.since(start)
    conn.commit()
    return out


def _fingerprint(conn) -> list[str]:
    cur = conn.cursor()
    out = []
    for q in FINGERPRINT:
        cur.execute(q)
        rows = cur.fetchall()
        out.append(f"{len(rows)} {hashlib.sha1(repr(rows).encode()).hexdigest()[:12]}")
    conn.commit()
    return out


def run_variant(config, lake, sql, checks) -> tuple[dict[str, tuple[float, float]], list[str]]:
    from dwhkit import app
    from dwhkit.pipeline import etl_steps, run_step
    from dwhkit.targets import get_target
    from dwhkit.warehouses import get_warehouse

    app.create_tables(config, "criteo")
    conn = get_target(config, schema="criteo").connect()
    try:
        clock = Clock(conn)
        t = {}
        for step in etl_steps(get_warehouse("criteo"), str(lake))[:1]:   # the COPY
            start = clock.now()
            run_step(conn, step)
            t[step.name] = clock.since(start)
        t.update({f"{k} (first run)": v for k, v in _timed_steps(conn, clock, sql.TRANSFORM_STEPS).items()})
        t.update({f"{k} (rerun)": v for k, v in _timed_steps(conn, clock, sql.TRANSFORM_STEPS).items()})
        t.update(_timed_report(conn, clock, checks))
        return t, _fingerprint(conn)
    finally:
        conn.close()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--parts", type=int, default=10)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--baseline", default=BASELINE, help="git revision of the baseline SQL, or 'none'")
    p.add_argument("--no-jit", action="store_true",
                   help="ALTER DATABASE … SET jit = off first (what a server setting of jit = off would give)")
    p.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the current category step")
    args = p.parse_args(argv)

    from dwhkit.config import ClusterConfig, Config, Secret
    from dwhkit.targets import get_target
    from dwhkit.targets.embedded import EmbeddedServer
    from dwhkit.warehouses.criteo import checks, sql
    from dwhkit.warehouses.criteo.sample import generate_sample

    variants = {"now": (sql, checks)}
    if args.baseline != "none":
        variants = {f"baseline {args.baseline}": _baseline(args.baseline), **variants}
    work = Path(tempfile.mkdtemp(prefix="dwhkit-bench-criteo-", dir="/tmp"))
    work.chmod(0o755)
    server = EmbeddedServer(work / "pg")
    info = server.start()
    try:
        dsn = info.dsn()
        if args.no_jit:
            import psycopg2

            admin = psycopg2.connect(**dsn)
            admin.autocommit = True
            admin.cursor().execute(f'ALTER DATABASE "{dsn["dbname"]}" SET jit = off')
            admin.close()
        cfg_file = work / "dwh.cfg"
        cfg_file.write_text("[TARGET]\ntype = postgres\n")
        config = Config(path=cfg_file, target_type="postgres", warehouse="criteo",
                        cluster=ClusterConfig(host=dsn["host"], port=dsn["port"], db_name=dsn["dbname"],
                                              db_user=dsn["user"], db_password=Secret(dsn["password"])))
        lake = generate_sample(work / "lake", rows=args.rows, parts=args.parts)
        load = os.getloadavg()
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average before "
              f"{load[0]:.2f} {load[1]:.2f}; {args.rows:,} impressions; jit {'off' if args.no_jit else 'on'}; "
              f"best of {args.rounds} rounds\n")
        best: dict[str, dict[str, tuple[float, float]]] = {v: {} for v in variants}
        prints: dict[str, list[str]] = {}
        for _ in range(args.rounds):
            for name, (v_sql, v_checks) in variants.items():
                times, prints[name] = run_variant(config, lake, v_sql, v_checks)
                for k, (wall, cpu) in times.items():
                    old = best[name].get(k, (float("inf"), float("inf")))
                    best[name][k] = (min(wall, old[0]), min(cpu, old[1]))
        names = list(variants)
        if len(set(map(tuple, prints.values()))) != 1:
            raise SystemExit(f"the variants disagree: {prints}")
        steps = list(best[names[-1]])
        etl = [k for k in steps if not k.startswith("report")]
        rows = [(k, [best[n].get(k, (float("nan"),) * 2) for n in names]) for k in steps]
        for label, keys in (("**ETL, first run** (COPY + steps)", [k for k in etl if "rerun" not in k]),
                            ("**ETL, rerun** (COPY + steps)", [k for k in etl if "first run" not in k]),
                            ("**report** (reconciliation + checks)", [k for k in steps if k.startswith("report")])):
            rows.append((label, [tuple(sum(best[n].get(k, (0.0, 0.0))[i] for k in keys) for i in (0, 1))
                                 for n in names]))
        print("wall = elapsed seconds; cpu = CPU seconds of the client process and its server backend "
              "(steady under other load)\n")
        head = " | ".join(f"{n} wall | {n} cpu" for n in names)
        print(f"| step | {head} |" + (" cpu ratio |" if len(names) == 2 else ""))
        print("|---|" + "---:|" * (2 * len(names) + (len(names) == 2)))
        for label, vals in rows:
            cells = " | ".join(f"{w:.2f} | {c:.2f}" for w, c in vals)
            ratio = f" {vals[0][1] / vals[1][1]:.1f}× |" if len(vals) == 2 and vals[1][1] else ""
            print(f"| {label} | {cells} |{ratio}")
        same = "identical across variants" if len(names) > 1 else "fingerprint"
        print(f"\nresults {same}: dim_category / mart_ctr_by_category / mart_ctr_by_int_bucket "
              f"= {prints[names[-1]]}")
        if args.explain:
            _explain(get_target(config, schema="criteo").connect(), sql)
    finally:
        server.destroy()
        shutil.rmtree(work, ignore_errors=True)


def _explain(conn, sql) -> None:
    """EXPLAIN ANALYZE each statement of the category step, in its order (so the temp table
    exists for the ones after it), in one transaction rolled back at the end."""
    from dwhkit.compat import to_postgres

    raw = conn.raw.cursor()
    raw.execute("SET search_path = criteo, public")
    for stmt in [s for step in sql.TRANSFORM_STEPS if step.name == "category dimension" for s in step.statements]:
        for pg in to_postgres(stmt):
            if pg.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "SELECT")):
                raw.execute("EXPLAIN (ANALYZE, COSTS off) " + pg)
                plan = [r[0] for r in raw.fetchall()]
                print(f"\n{pg.strip().splitlines()[0][:90]}\n" + "\n".join(plan))
            else:
                raw.execute(pg)
    conn.rollback()
    conn.close()


if __name__ == "__main__":
    main()
