"""Two ETL runs started at once against one warehouse: one waits for the other (or, with
--no-wait, stops with a clear message). Never duplicates, never a mixed state."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import pytest

from dwhkit import app
from dwhkit.errors import PipelineError

ROOT = Path(__file__).resolve().parent.parent


def counts(report):
    return {t["table"]: t["rows"] for t in report["tables"]}


@pytest.fixture
def lake(tmp_path_factory):
    from dwhkit.warehouses.stedi.sample import generate_sample
    return generate_sample(tmp_path_factory.mktemp("lake"), customers=200)


def test_two_runs_at_once_serialise(dwh_config, lake, caplog):
    app.create_tables(dwh_config)
    expected = counts(app.run_etl(dwh_config, lake=str(lake)))
    app.create_tables(dwh_config)

    barrier = threading.Barrier(2)
    events: list[tuple[str, str, float]] = []
    reports, errors = {}, []

    def run(name):
        try:
            barrier.wait()
            reports[name] = app.run_etl(dwh_config, lake=str(lake),
                                        on_step=lambda r: events.append((name, r.name, time.monotonic())))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    caplog.set_level(logging.WARNING, logger="dwhkit")
    threads = [threading.Thread(target=run, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    waits = [r for r in caplog.records if "another ETL run is loading this warehouse; waiting" in r.getMessage()]
    assert len(waits) == 1                                # exactly one of the two waited
    order = [name for name, _, _ in sorted(events, key=lambda e: e[2])]
    first = order[0]
    n = len(order) // 2
    assert order == [first] * n + [o for o in order if o != first]     # no interleaving of steps
    assert counts(reports["A"]) == counts(reports["B"]) == expected   # no duplicates, no mixed state
    assert reports["A"]["passed"] and reports["B"]["passed"]


def test_no_wait_stops_with_a_clear_message(dwh_config, lake, pg_dsn, tmp_path):
    app.create_tables(dwh_config)
    expected = counts(app.run_etl(dwh_config, lake=str(lake)))

    # A run in progress: its steps keep going while a second run asks for the lock.
    started = threading.Event()
    release = threading.Event()
    result = {}

    def slow_step(r):
        started.set()
        release.wait(60)

    th = threading.Thread(target=lambda: result.update(r=app.run_etl(dwh_config, lake=str(lake), on_step=slow_step)))
    th.start()
    assert started.wait(60)
    try:
        with pytest.raises(PipelineError, match="another ETL run is loading this warehouse"):
            app.run_etl(dwh_config, lake=str(lake), wait_for_lock=False)

        # the same through the command line: exit status 2 and one clear line on stderr
        c = dwh_config.cluster
        cfg = tmp_path / "dwh.cfg"
        cfg.write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {c.host}\nport = {c.port}\n"
                       f"db_name = {c.db_name}\ndb_user = {c.db_user}\n")
        env = {**os.environ, "DWH_CLUSTER_DB_PASSWORD": str(c.db_password), "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, "-m", "dwhkit.cli", "--config", str(cfg), "etl", "--lake", str(lake),
                               "--no-wait"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2
        assert proc.stderr.strip().splitlines()[-1] == (
            "error: another ETL run is loading this warehouse; try again when it ends")
        assert "Traceback" not in proc.stderr
    finally:
        release.set()
        th.join(120)
    assert counts(result["r"]) == expected                # the run holding the lock was not disturbed

    # Once the lock is free, --no-wait runs normally.
    assert counts(app.run_etl(dwh_config, lake=str(lake), wait_for_lock=False)) == expected


def test_lock_held_by_a_killed_session_is_released(dwh_config, lake, pg_dsn):
    """The lock is a session lock: a run whose session dies (crash, kill) does not block the next."""
    app.create_tables(dwh_config)
    holder = psycopg2.connect(**pg_dsn)
    with holder.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(hashtext('dwhkit etl stedi'))")  # the STEDI warehouse's lock
    with pytest.raises(PipelineError):
        app.run_etl(dwh_config, lake=str(lake), wait_for_lock=False)
    holder.close()                                        # the session ends: the server drops its locks
    assert app.run_etl(dwh_config, lake=str(lake), wait_for_lock=False)["passed"]


def test_create_tables_waits_for_a_running_etl(dwh_config, lake, pg_dsn):
    """`dwh create-tables` takes the warehouse's lock too: it never drops tables under a running ETL."""
    app.create_tables(dwh_config)
    holder = psycopg2.connect(**pg_dsn)
    holder.autocommit = True
    with holder.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(hashtext('dwhkit etl stedi'))")
    done = threading.Event()
    th = threading.Thread(target=lambda: (app.create_tables(dwh_config), done.set()), daemon=True)
    th.start()
    assert not done.wait(1.5)                              # blocked behind the lock
    holder.close()
    assert done.wait(60)


def test_warehouses_have_their_own_locks(dwh_config, lake, pg_dsn):
    """Another warehouse's running ETL does not block this one (their tables live in other schemas)."""
    app.create_tables(dwh_config)
    holder = psycopg2.connect(**pg_dsn)
    with holder.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(hashtext('dwhkit etl energy'))")
    assert app.run_etl(dwh_config, lake=str(lake), wait_for_lock=False)["passed"]
    holder.close()
