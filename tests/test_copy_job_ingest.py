"""Continuous ingestion guarantees: exactly once across restarts, after a SIGKILL mid-file, with
files arriving during a load, and with two runners at once. Every process is time-bounded."""
from __future__ import annotations

import pytest

import os
import signal
import subprocess
import sys
import threading
import time

from dwhkit import ingest
from dwhkit.targets.pg_jobs import run_job
from dwhkit.app import target_for

from .conftest import ROOT
from .test_copy_job import (JOB, committed_files, criteo_db, job_files, job_sql, scalar,  # noqa: F401
                            upload_parts)


@pytest.fixture
def dwh_config(dwh_config):
    """The test database with the criteo warehouse selected: its schema is on the search path."""
    return dwh_config.with_overrides(warehouse="criteo")


def cli_env(config, tmp_path) -> tuple[list[str], dict]:
    c = config.cluster
    cfg = tmp_path / "ingest.cfg"
    cfg.write_text(f"[TARGET]\ntype = postgres\nwarehouse = criteo\n[CLUSTER]\nhost = {c.host}\nport = {c.port}\n"
                   f"db_name = {c.db_name}\ndb_user = {c.db_user}\n")
    env = dict(os.environ, DWH_CLUSTER_DB_PASSWORD=str(c.db_password), DWH_COPY_WORKERS="1",
               DWH_COPY_PARSE_THREADS="1")
    return [sys.executable, "-m", "dwhkit.cli", "ingest", "--config", str(cfg), "--follow", "--job", JOB], env


def copy_running(conn) -> bool:
    """Another session is inside a COPY … FROM STDIN (the loader feeding a file's rows)."""
    return bool(scalar(conn, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                             "AND state = 'active' AND query LIKE 'COPY %%FROM STDIN%%'"))


def test_exactly_once_across_restarts(criteo_db, dwh_config, s3, bucket, tmp_path):
    criteo_db.cursor().execute(job_sql(bucket))
    total = upload_parts(s3, bucket, tmp_path, 600, 3, first=0)
    argv, env = cli_env(dwh_config, tmp_path)
    out = subprocess.run(argv + ["--once"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "3 file(s), 600 row(s)" in out.stdout
    total += upload_parts(s3, bucket, tmp_path, 400, 2, first=3)
    for _ in range(2):                                       # a restart finds only the new files
        out = subprocess.run(argv + ["--once"], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
    assert "0 file(s), 0 row(s)" in out.stdout
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == total
    assert job_files(criteo_db, "loaded") == 5 and committed_files(criteo_db) == 5


def test_sigkill_in_the_middle_of_a_file(criteo_db, dwh_config, s3, bucket, tmp_path):
    criteo_db.cursor().execute(job_sql(bucket))
    total = upload_parts(s3, bucket, tmp_path, 150_000, 1, first=0)      # one big file: a slow load
    argv, env = cli_env(dwh_config, tmp_path)
    child = subprocess.Popen(argv + ["--once"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not copy_running(criteo_db):
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never started loading"
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)                   # mid-COPY: rows sent, nothing committed
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    deadline = time.monotonic() + 30                         # the server aborts the orphaned COPY
    while copy_running(criteo_db) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == 0
    assert job_files(criteo_db) == 0 and committed_files(criteo_db) == 0
    total += upload_parts(s3, bucket, tmp_path, 300, 1, first=1)
    out = subprocess.run(argv + ["--once"], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == total
    assert job_files(criteo_db, "loaded") == 2 and committed_files(criteo_db) == 2


def test_files_arriving_while_a_load_runs(criteo_db, dwh_config, s3, bucket, tmp_path):
    criteo_db.cursor().execute(job_sql(bucket))
    stop = threading.Event()
    runs = []
    follower = threading.Thread(target=lambda: runs.append(ingest.follow(
        dwh_config, job=JOB, interval=0.1, stop=stop)), daemon=True)
    total = upload_parts(s3, bucket, tmp_path, 60_000, 1, first=0)
    follower.start()
    try:
        deadline = time.monotonic() + 60
        while not copy_running(criteo_db):
            assert time.monotonic() < deadline and follower.is_alive()
            time.sleep(0.01)
        total += upload_parts(s3, bucket, tmp_path, 500, 2, first=1)      # land during the load
        while job_files(criteo_db, "loaded") < 3:
            assert time.monotonic() < deadline and follower.is_alive(), "new files were not picked up"
            time.sleep(0.05)
        total += upload_parts(s3, bucket, tmp_path, 200, 1, first=3)      # and after it
        while job_files(criteo_db, "loaded") < 4:
            assert time.monotonic() < deadline and follower.is_alive()
            time.sleep(0.05)
    finally:
        stop.set()
        follower.join(timeout=30)
    assert not follower.is_alive()
    assert runs[0].files == 4 and runs[0].rows == total
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == total
    assert committed_files(criteo_db) == 4


def test_two_runners_never_load_a_file_twice(criteo_db, dwh_config, s3, bucket, tmp_path):
    criteo_db.cursor().execute(job_sql(bucket))
    total = upload_parts(s3, bucket, tmp_path, 2400, 12)
    factory = target_for(dwh_config).connect_raw
    results, errors = [], []

    def runner():
        try:
            results.append(run_job(factory, JOB))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    loaded = [url for r in results for url in r.files]
    assert len(loaded) == len(set(loaded)) == 12             # each file by exactly one runner
    assert sum(r.rows_loaded for r in results) == total
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == total
    assert job_files(criteo_db, "loaded") == 12 and committed_files(criteo_db) == 12


def test_follow_runs_only_auto_on_jobs(criteo_db, dwh_config, s3, bucket, tmp_path):
    import pytest

    from dwhkit.errors import ConfigError

    criteo_db.cursor().execute(job_sql(bucket, auto="OFF"))
    upload_parts(s3, bucket, tmp_path, 100, 1)
    assert ingest.follow(dwh_config, once=True).runs == 0
    with pytest.raises(ConfigError, match="AUTO OFF"):
        ingest.follow(dwh_config, job=JOB, once=True)
    criteo_db.cursor().execute(f"COPY JOB ALTER {JOB} AUTO ON")
    stats = ingest.follow(dwh_config, once=True)
    assert stats.files == 1 and stats.rows == 100


def test_cli_help_lists_ingest():
    out = subprocess.run([sys.executable, "-m", "dwhkit.cli", "ingest", "--help"], capture_output=True,
                         text=True, timeout=30, cwd=ROOT)
    assert out.returncode == 0 and "--follow" in out.stdout and "--once" in out.stdout


def test_stale_view_of_the_ledger_still_loads_nothing_twice(criteo_db, dwh_config, s3, bucket, tmp_path,
                                                             monkeypatch):
    """The unique (job, file) key, not the runner's listing, is what makes a load exactly once:
    a runner that believes nothing was loaded yet (e.g. listed before another committed) skips."""
    from dwhkit.targets import pg_jobs as jobs

    criteo_db.cursor().execute(job_sql(bucket))
    total = upload_parts(s3, bucket, tmp_path, 500, 5)
    factory = target_for(dwh_config).connect_raw
    assert run_job(factory, JOB).rows_loaded == total
    monkeypatch.setattr(jobs, "ledger", lambda conn, job_id: {})
    again = run_job(factory, JOB)
    assert again.files == [] and again.rows_loaded == 0
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == total
