"""Crash safety: the ETL killed with SIGKILL at several moments of a load; every landing table is
then either untouched or whole (each step is one transaction), and a rerun always ends with the
exact expected counts and passing checks.

The ETL runs as users run it: ``python -m dwhkit.cli etl --lake …`` in a subprocess, configured by
a temporary dwh.cfg with the password only in DWH_CLUSTER_DB_PASSWORD."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

from dwhkit import app

ROOT = Path(__file__).resolve().parent.parent
LANDING = ("staging_customer", "staging_accelerometer", "staging_step_trainer")


def big_lake(root: Path) -> Path:
    """The STEDI sample plus a large accelerometer file (the sample's readings repeated: exact
    duplicates the trusted zone removes), so a load lasts long enough to be killed inside it."""
    from dwhkit.warehouses.stedi.sample import generate_sample

    lake = generate_sample(root / "lake", customers=300)
    acc = lake / "accelerometer"
    lines = b"".join(p.read_bytes() for p in sorted(acc.glob("accelerometer-*.json")))
    (acc / "accelerometer-9999999999999.json").write_bytes(lines * 12)
    return lake


@pytest.fixture
def cli(dwh_config, tmp_path):
    c = dwh_config.cluster
    cfg = tmp_path / "dwh.cfg"
    cfg.write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {c.host}\nport = {c.port}\n"
                   f"db_name = {c.db_name}\ndb_user = {c.db_user}\n")
    # PYTHONFAULTHANDLER: a run that does not end is sent SIGABRT (see finish), which then prints
    # every thread's stack into its log — what it waits on is the diagnosis.
    env = {**os.environ, "DWH_CLUSTER_DB_PASSWORD": str(c.db_password), "PYTHONPATH": str(ROOT),
           "PYTHONFAULTHANDLER": "1"}
    env.pop("DWH_CONFIG", None)

    def start(lake: Path, log: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "dwhkit.cli", "--config", str(cfg), "etl",
                                 "--lake", str(lake), "--json"], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=open(log, "wb"))
    return start


def finish(proc: subprocess.Popen, log: Path, timeout: float = 120) -> str:
    """The run's stdout once it has ended; a run still going after ``timeout`` fails the test
    with its log, which then holds the stacks of all its threads."""
    try:
        out, _ = proc.communicate(timeout=timeout)
        return out
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        proc.communicate(timeout=30)
        pytest.fail(f"the ETL run did not end within {timeout} s; its log:\n{log.read_text(errors='replace')}")


def counts(dsn) -> dict[str, int]:
    conn = psycopg2.connect(**dsn)
    try:
        with conn.cursor() as cur:
            out = {}
            for table in app.get_warehouse("stedi").table_names:
                cur.execute(f'SELECT COUNT(*) FROM "{table}"')
                out[table] = cur.fetchone()[0]
            return out
    finally:
        conn.close()


def test_sigkill_at_random_points_then_rerun_is_exact(cli, dwh_config, pg_dsn, tmp_path):
    lake = big_lake(tmp_path)
    app.create_tables(dwh_config)

    # One clean run: the expected counts, and how long a run takes.
    t0 = time.monotonic()
    proc = cli(lake, tmp_path / "clean.log")
    out = finish(proc, tmp_path / "clean.log")
    duration = time.monotonic() - t0
    assert proc.returncode == 0, (tmp_path / "clean.log").read_text()
    report = json.loads(out)
    assert report["passed"]
    expected = {t["table"]: t["rows"] for t in report["tables"]}
    assert expected == counts(pg_dsn) and expected["staging_accelerometer"] > 100_000

    app.create_tables(dwh_config)                         # start again from empty tables
    rng = random.Random(20240607)
    moments = []
    for i, fraction in enumerate((0.3, 0.45, 0.6, 0.75, 0.9)):
        delay = duration * fraction * rng.uniform(0.9, 1.1)
        log = tmp_path / f"kill{i}.log"
        proc = cli(lake, log)
        time.sleep(delay)
        finished_first = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        steps = [ln.split(":")[0].strip() for ln in log.read_text().splitlines() if ln.startswith("  ")]
        moments.append((round(delay, 2), steps[-1] if steps else "(before the first step ended)", finished_first))
        # Atomicity of every step: a landing table is empty (never loaded yet) or whole.
        now = counts(pg_dsn)
        for table in LANDING:
            assert now[table] in (0, expected[table]), (i, table, now[table], moments)

    # The rerun after the last kill ends exactly where a clean run does.
    proc = cli(lake, tmp_path / "rerun.log")
    out = finish(proc, tmp_path / "rerun.log")
    assert proc.returncode == 0, (tmp_path / "rerun.log").read_text()
    report = json.loads(out)
    assert report["passed"], [c for c in report["checks"] if not c["passed"]]
    assert {t["table"]: t["rows"] for t in report["tables"]} == expected
    assert counts(pg_dsn) == expected
    print("kill moments (seconds, last step finished, run had ended):", moments)
    assert any(not m[2] for m in moments)                 # at least some kills landed mid-run
