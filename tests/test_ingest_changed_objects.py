"""Security finding 7: an object overwritten after a COPY JOB took it is reported (key and both
ETags, a warning in the run's result and on `dwh ingest`'s stderr, a 'changed' row in the job's
record), never silently skipped — and not reloaded (Redshift tracks job files by name)."""
from __future__ import annotations

import gzip
import subprocess

import pytest

from dwhkit import ingest
from dwhkit.targets import pg_jobs as jobs
from dwhkit.targets.pg_jobs import SCHEMA, run_job
from dwhkit.app import target_for

from .test_copy_job import JOB, criteo_db, job_files, job_sql, scalar, upload_parts  # noqa: F401
from .test_copy_job_ingest import cli_env


@pytest.fixture
def dwh_config(dwh_config):
    """The test database with the criteo warehouse selected: its schema is on the search path."""
    return dwh_config.with_overrides(warehouse="criteo")


ROW = b"1\t" + b"\t".join(b"7" for _ in range(13)) + b"\t" + b"\t".join(b"abcd1234" for _ in range(26)) + b"\n"


def overwrite(s3, bucket, key: str, rows: int) -> str:
    """Replace an object with `rows` new (valid) records; return its new ETag."""
    return s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(ROW * rows))["ETag"]


def first_key(s3, bucket) -> str:
    return s3.list_objects_v2(Bucket=bucket, Prefix="impressions/")["Contents"][0]["Key"]


def test_overwritten_object_is_reported_recorded_and_not_reloaded(criteo_db, dwh_config, s3, bucket, tmp_path):
    criteo_db.cursor().execute(job_sql(bucket))
    total = upload_parts(s3, bucket, tmp_path, 300, 3)
    factory = target_for(dwh_config).connect_raw
    first = run_job(factory, JOB)
    assert first.rows_loaded == total and first.changed == []
    key = first_key(s3, bucket)
    url = f"s3://{bucket}/{key}"
    old_etag = s3.head_object(Bucket=bucket, Key=key)["ETag"]
    # the ledger keeps the ETag of the version that was read
    assert scalar(criteo_db, f"SELECT etag FROM {SCHEMA}.copy_job_file WHERE filename = %s", (url,)) == old_etag

    new_etag = overwrite(s3, bucket, key, 5)
    assert new_etag != old_etag
    second = run_job(factory, JOB)
    assert second.changed == [(url, "loaded", old_etag, new_etag)]
    assert second.files == [] and second.rows_loaded == 0          # not reloaded
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == total
    warning = [line for line in second.message.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and url in warning[0] and old_etag in warning[0] and new_etag in warning[0]
    cur = criteo_db.cursor()
    cur.execute(f"SELECT filename, status, loaded_etag, etag FROM {SCHEMA}.copy_job_file_change")
    assert cur.fetchall() == [(url, "changed", old_etag, new_etag)]
    assert job_files(criteo_db, "loaded") == 3                     # the ledger still says what was loaded

    # a later run says it again (never silent), the record holds one row per new version
    assert run_job(factory, JOB).changed == [(url, "loaded", old_etag, new_etag)]
    newer = overwrite(s3, bucket, key, 6)
    assert run_job(factory, JOB).changed == [(url, "loaded", old_etag, newer)]
    assert scalar(criteo_db, f"SELECT COUNT(*) FROM {SCHEMA}.copy_job_file_change") == 2
    cur.execute(f"COPY JOB SHOW {JOB}")
    show = dict(zip([d[0] for d in cur.description], cur.fetchone()))
    assert show["files_changed"] == 1 and show["files_loaded"] == 3


def test_overwrite_of_a_file_skipped_at_create_is_reported_too(criteo_db, dwh_config, s3, bucket, tmp_path):
    upload_parts(s3, bucket, tmp_path, 100, 1)
    criteo_db.cursor().execute(job_sql(bucket))                     # baseline: 'skipped', with its ETag
    key = first_key(s3, bucket)
    new_etag = overwrite(s3, bucket, key, 2)
    result = run_job(target_for(dwh_config).connect_raw, JOB)
    assert [(c[0], c[1], c[3]) for c in result.changed] == [(f"s3://{bucket}/{key}", "skipped", new_etag)]
    assert result.rows_loaded == 0


def test_dwh_ingest_prints_the_warning_on_stderr(criteo_db, dwh_config, s3, bucket, tmp_path):
    criteo_db.cursor().execute(job_sql(bucket))
    upload_parts(s3, bucket, tmp_path, 200, 2)
    argv, env = cli_env(dwh_config, tmp_path)
    out = subprocess.run(argv + ["--once"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "warning" not in out.stderr
    key = first_key(s3, bucket)
    old_etag = s3.head_object(Bucket=bucket, Key=key)["ETag"]
    new_etag = overwrite(s3, bucket, key, 3)
    out = subprocess.run(argv + ["--once"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1, out.stderr
    assert f"s3://{bucket}/{key}" in lines[0] and old_etag in lines[0] and new_etag in lines[0]
    assert "not reloaded" in lines[0]
    assert "0 file(s), 0 row(s)" in out.stdout


class _Passes:
    """A stop event for follow() that ends the loop after `n` passes (no clock involved)."""

    def __init__(self, n: int):
        self.n = n

    def wait(self, _interval) -> bool:
        self.n -= 1
        return self.n <= 0


def test_follow_notices_an_overwrite_under_a_name_it_has_seen(criteo_db, dwh_config, s3, bucket, tmp_path):
    """A long-running follower decides to run on (name, ETag), not on names alone: an overwrite
    of a known name gets a run, and so a report."""
    criteo_db.cursor().execute(job_sql(bucket, auto="ON"))
    upload_parts(s3, bucket, tmp_path, 100, 1)
    key = first_key(s3, bucket)
    runs = []

    def on_run(name, result):
        runs.append(result)
        if len(runs) == 1:
            overwrite(s3, bucket, key, 4)

    stats = ingest.follow(dwh_config, interval=0, stop=_Passes(3), on_run=on_run)
    assert len(runs) == 2 and runs[0].rows_loaded == 100
    assert [c[0] for c in runs[1].changed] == [f"s3://{bucket}/{key}"]
    assert stats.changed == [f"s3://{bucket}/{key}"] and stats.rows == 100


def test_round_one_ledger_rows_get_a_baseline_etag(criteo_db, dwh_config, s3, bucket, tmp_path):
    """A row loaded before ETags were kept (NULL) cannot be compared: the next run takes the ETag
    listed then as its baseline (not a change), and an overwrite after that is reported."""
    criteo_db.cursor().execute(job_sql(bucket))
    upload_parts(s3, bucket, tmp_path, 100, 1)
    factory = target_for(dwh_config).connect_raw
    run_job(factory, JOB)
    criteo_db.cursor().execute(f"UPDATE {SCHEMA}.copy_job_file SET etag = NULL")   # as round one left it
    key = first_key(s3, bucket)
    listed = s3.head_object(Bucket=bucket, Key=key)["ETag"]
    assert run_job(factory, JOB).changed == []
    assert scalar(criteo_db, f"SELECT etag FROM {SCHEMA}.copy_job_file") == listed
    new_etag = overwrite(s3, bucket, key, 2)
    assert run_job(factory, JOB).changed == [(f"s3://{bucket}/{key}", "loaded", listed, new_etag)]


def test_a_round_one_ledger_is_brought_up_to_date(dwh_config, criteo_db):
    """Ledgers created before ETags were kept get the column (ADD COLUMN IF NOT EXISTS) and the
    change table; their rows (no ETag) are never reported as changed."""
    raw = target_for(dwh_config).connect_raw()
    try:
        raw.autocommit = True
        jobs.ensure_job_tables(raw)
        with raw.cursor() as c:             # what round one left: no etag column, no change table
            c.execute(f"DROP TABLE {SCHEMA}.copy_job_file_change")
            c.execute(f"ALTER TABLE {SCHEMA}.copy_job_file DROP COLUMN etag")
        jobs.ensure_job_tables(raw)
        with raw.cursor() as c:
            c.execute("SELECT column_name FROM information_schema.columns "
                      "WHERE table_schema = %s AND table_name = 'copy_job_file'", (SCHEMA,))
            assert "etag" in {r[0] for r in c.fetchall()}
            c.execute("SELECT to_regclass(%s) IS NOT NULL", (jobs.LAST_OBJECT,))
            assert c.fetchone()[0]
    finally:
        raw.close()
    f = jobs.JobFile("b", "k", 1, '"new"')
    assert jobs._changed({"s3://b/k": ("loaded", None)}, [f]) == []
    assert jobs._changed({"s3://b/k": ("loaded", '"old"')}, [f]) == [("s3://b/k", "loaded", '"old"', '"new"')]


def test_the_ledger_keeps_the_etag_of_what_was_read_not_of_the_listing(criteo_db, dwh_config, s3, bucket, tmp_path):
    """Overwritten between the listing and the load: the new version is what was loaded, so its
    ETag (from the GET) is the one kept, and no later run calls the file changed."""
    criteo_db.cursor().execute(job_sql(bucket))
    upload_parts(s3, bucket, tmp_path, 100, 1)
    factory = target_for(dwh_config).connect_raw
    conn = factory()
    try:
        listed = jobs.list_files(jobs.get_job(conn, JOB).command)
    finally:
        conn.close()
    key = first_key(s3, bucket)
    assert listed[0].etag == s3.head_object(Bucket=bucket, Key=key)["ETag"]
    read = overwrite(s3, bucket, key, 7)
    assert run_job(factory, JOB, files=listed).rows_loaded == 7
    url = f"s3://{bucket}/{key}"
    assert scalar(criteo_db, f"SELECT etag FROM {SCHEMA}.copy_job_file WHERE filename = %s", (url,)) == read
    assert run_job(factory, JOB).changed == []


def test_store_upgrade_holds_its_lock_on_an_autocommit_connection(criteo_db, dwh_config):
    """Bringing a round-one job store up to date holds the store's advisory lock for the whole
    DDL, even on an autocommit connection (the lock and the DDL are one statement string), so two
    sessions upgrading it take turns instead of racing."""
    import threading

    factory = target_for(dwh_config).connect_raw
    holder, upgrader = factory(), factory()
    try:
        upgrader.autocommit = True
        jobs.ensure_job_tables(upgrader)
        with upgrader.cursor() as c:        # back to round one's store; note the upgrader's pid
            c.execute(f"DROP TABLE {SCHEMA}.copy_job_file_change")
            c.execute(f"ALTER TABLE {SCHEMA}.copy_job_file DROP COLUMN etag")
            c.execute("SELECT pg_backend_pid()")
            pid = c.fetchone()[0]
        with holder.cursor() as c:          # a reader: the upgrade's ALTER TABLE waits behind it, mid-DDL
            c.execute(f"LOCK TABLE {SCHEMA}.copy_job_file IN ACCESS SHARE MODE")
        done = threading.Event()
        thread = threading.Thread(target=lambda: (jobs.ensure_job_tables(upgrader), done.set()), daemon=True)
        thread.start()
        while not scalar(criteo_db, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = %s "
                                    "AND wait_event_type = 'Lock' AND wait_event = 'relation'", (pid,)):
            assert not done.is_set()
        assert scalar(criteo_db, "SELECT COUNT(*) FROM pg_locks WHERE pid = %s AND locktype = 'advisory' "
                                 "AND granted", (pid,)) == 1
        holder.rollback()
        thread.join(60)
        assert done.is_set()
    finally:
        holder.close()
        upgrader.close()
