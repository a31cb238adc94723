"""What the pytest plugin's `redshift` fixture costs per test, and why it isolates tests the way it does.

Two parts, both on a throwaway embedded Postgres:

1. The isolation schemes the plugin could use, timed directly (a small schema + a COPY's
   stl_load_errors rows to undo each round):
   - ``template FILE_COPY`` / ``template WAL_LOG``: CREATE DATABASE … TEMPLATE … STRATEGY …, then
     DROP DATABASE, per test;
   - ``schema per test``: CREATE SCHEMA + DROP SCHEMA … CASCADE (dwhkit_system still shared);
   - ``reset worker db``: one database per worker, emptied between tests (the plugin's choice).
2. The plugin itself: a real pytest run of N tests using ``redshift`` against N tests using no
   fixture, in a subprocess; the difference per test is the overhead users pay.

Run: ``.venv/bin/python -m bench.plugin_overhead [--rounds 30] [--tests 100]``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import psycopg2

from dwhkit.targets.embedded import EmbeddedServer
from dwhkit.testing.isolation import RESET_SQL

WORK = """
CREATE TABLE public.t (id int PRIMARY KEY, v text);
INSERT INTO public.t SELECT g, 'x' || g FROM generate_series(1, 50) g;
CREATE SCHEMA staging; CREATE TABLE staging.s (id int);
INSERT INTO dwhkit_system.stl_load_errors (query, err_reason) VALUES (1, 'bad');
"""
SYSTEM = """
CREATE SCHEMA IF NOT EXISTS dwhkit_system;
CREATE SEQUENCE IF NOT EXISTS dwhkit_system.copy_query_id_seq;
CREATE TABLE IF NOT EXISTS dwhkit_system.stl_load_errors (query int, err_reason char(100));
CREATE TABLE IF NOT EXISTS dwhkit_system.stl_load_commits (query int);
"""


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.1f} ms median, {max(samples) * 1000:7.1f} ms max"


def schemes(info, rounds: int) -> dict[str, list[float]]:
    admin = psycopg2.connect(**info.dsn("postgres"))
    admin.autocommit = True
    cur = admin.cursor()
    tpl = f"bench_tpl_{uuid.uuid4().hex[:6]}"
    cur.execute(f'CREATE DATABASE "{tpl}"')
    with psycopg2.connect(**info.dsn(tpl)) as c, c.cursor() as cc:
        cc.execute(SYSTEM)
    c.close()
    out: dict[str, list[float]] = {}
    for strategy in ("FILE_COPY", "WAL_LOG"):
        samples = []
        for _ in range(rounds):
            name = f"bench_{uuid.uuid4().hex[:8]}"
            t0 = time.perf_counter()
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}" STRATEGY {strategy}')
            conn = psycopg2.connect(**info.dsn(name))
            conn.cursor().execute(WORK)
            conn.commit()
            conn.close()
            cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            samples.append(time.perf_counter() - t0)
        out[f"template {strategy}"] = samples
    # A schema per test (what a test makes outside its schema, and dwhkit_system, still leak).
    conn = psycopg2.connect(**info.dsn(tpl))
    conn.autocommit = True
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        s = f"t_{uuid.uuid4().hex[:8]}"
        c2 = psycopg2.connect(**info.dsn(tpl), options=f"-c search_path={s},dwhkit_system")
        c2.cursor().execute(f'CREATE SCHEMA "{s}"; CREATE TABLE t (id int PRIMARY KEY, v text);'
                            "INSERT INTO t SELECT g, 'x' || g FROM generate_series(1, 50) g")
        c2.commit()
        c2.close()
        conn.cursor().execute(f'DROP SCHEMA "{s}" CASCADE')
        samples.append(time.perf_counter() - t0)
    out["schema per test"] = samples
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        c2 = psycopg2.connect(**info.dsn(tpl))
        c2.cursor().execute(WORK)
        c2.commit()
        c2.close()
        conn.cursor().execute(RESET_SQL)
        samples.append(time.perf_counter() - t0)
    out["reset worker db"] = samples
    # The work alone, to subtract: connect + WORK + undo by hand
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        c2 = psycopg2.connect(**info.dsn(tpl))
        c2.cursor().execute(WORK)
        c2.commit()
        c2.close()
        samples.append(time.perf_counter() - t0)
        conn.cursor().execute("DROP TABLE public.t; DROP SCHEMA staging CASCADE;"
                              "TRUNCATE dwhkit_system.stl_load_errors")
    out["(the work alone, no isolation)"] = samples
    conn.close()
    cur.execute(f'DROP DATABASE "{tpl}" WITH (FORCE)')
    admin.close()
    return out


TIMING_CONFTEST = """
import json, os, time
import pytest

SPENT = {}

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    t0 = time.perf_counter(); yield
    SPENT[item.nodeid] = SPENT.get(item.nodeid, 0.0) + time.perf_counter() - t0

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    t0 = time.perf_counter(); yield
    SPENT[item.nodeid] = SPENT.get(item.nodeid, 0.0) + time.perf_counter() - t0

def pytest_sessionfinish(session):
    with open(os.environ["TIMINGS"], "w") as fh:
        json.dump(list(SPENT.values()), fh)
"""


def plugin_run(tests: int, tmp: Path) -> dict:
    """A real pytest run of ``tests`` tests using ``redshift`` and of as many using nothing: wall
    time of each, and each test's setup+teardown time (measured by a conftest hook)."""
    project = tmp / "proj"
    project.mkdir()
    (project / "test_with.py").write_text(textwrap.dedent(f"""
        import pytest
        @pytest.mark.parametrize("i", range({tests}))
        def test_with(redshift, i):
            cur = redshift.cursor()
            cur.execute("SELECT %s", (i,))
            assert cur.fetchone()[0] == i
        """))
    (project / "test_without.py").write_text(textwrap.dedent(f"""
        import pytest
        @pytest.mark.parametrize("i", range({tests}))
        def test_without(i):
            assert i == i
        """))
    (project / "conftest.py").write_text(TIMING_CONFTEST)
    (project / "pytest.ini").write_text("[pytest]\n")
    result: dict = {}
    for name in ("test_without.py", "test_with.py"):
        timings = tmp / f"{name}.json"
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", name],
                              cwd=project, capture_output=True, text=True,
                              env={**os.environ, "TIMINGS": str(timings)})
        result[name] = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(proc.stdout + proc.stderr)
        result[f"{name} phases"] = json.loads(timings.read_text())
    return result


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--tests", type=int, default=100)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="dwhkit-bench-plugin-"))
    os.chmod(tmp, 0o755)
    server = EmbeddedServer(tmp / "pg")
    try:
        info = server.start()
        print(f"isolation schemes, {args.rounds} rounds each (connect + small DDL/DML + undo):")
        for name, samples in schemes(info, args.rounds).items():
            print(f"  {name:32s} {_ms(samples)}")
    finally:
        server.destroy()
    run = plugin_run(args.tests, tmp)
    # In run order: the first test's setup starts the server, the last one's teardown stops it.
    phases = run["test_with.py phases"]
    first, rest = phases[0], phases[1:-1]
    bare = run["test_without.py phases"]
    print(f"\nplugin, {args.tests} tests in a real pytest run (2 cores shared with whatever else runs):")
    print(f"  wall: with `redshift` {run['test_with.py']:.2f} s, without any fixture {run['test_without.py']:.2f} s")
    print(f"  server start + first database (once per run and per xdist worker): {first * 1000:.0f} ms; "
          f"server stop: {phases[-1] * 1000:.0f} ms")
    print(f"  setup+teardown per test with `redshift`: {statistics.median(rest) * 1000:.1f} ms median, "
          f"{_pct(rest, 0.9) * 1000:.1f} ms p90, {max(rest) * 1000:.1f} ms max")
    print(f"  setup+teardown per test with no fixture: {statistics.median(bare) * 1000:.2f} ms median")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
