"""Redshift's COPY JOB (auto-copy) on Postgres: the job store and the exactly-once runner.

Why these tables (schema ``dwhkit_system``, created idempotently like the STL tables):
- ``sys_copy_job``: Redshift's SYS_COPY_JOB, same columns and CHAR types (§9), so the AWS doc
  queries run unchanged. Its ``job_text`` is CHAR(256) and truncates; the full COPY the job runs
  is kept beside it in ``copy_job_spec``.
- ``copy_job_file``: the load ledger, PRIMARY KEY (job_id, filename). A file's ledger row is
  inserted in the **same transaction** as the file's rows, so the ledger says "loaded" exactly
  when the rows are committed: a crash mid-file rolls both back and the next run loads the file
  again; a committed file can never be inserted twice (the unique key refuses it, also to a
  concurrent runner, which waits on the uncommitted key and then sees the conflict).
- ``stl_load_commits.copy_job_id``: the loader writes its per-file rows through its autocommit side
  connection (with 0); the runner sets the job id in the file's own transaction. As on Redshift
  (§5), a row there alone does not prove a commit; one with a ``copy_job_id`` does.

Why one transaction per file rather than a batch: the ledger's unit is then the transaction's
unit, so exactly-once needs no bookkeeping beyond one INSERT; a crash loses at most one file's
work; one bad file does not hold back the others; and two runners share a prefix file by file.
A batch would save one commit per file — noise next to a COPY of a real file.

Decisions (AMBIG or unspecified in §9, each with a test):
- Files already under the prefix at CREATE are not ingested (current docs: only files created after
  the job are). They are recorded in the ledger as 'skipped' — by name, not by S3 timestamp, so
  clock skew between S3 and the database cannot load or lose a file.
- A file that fails with a load error (a bad record; jobs cannot set MAXERROR) is recorded as
  'failed' and not retried, like a loaded one: the same name is never loaded later (§9 "each file
  name once"). Its errors stay in stl_load_errors. Any other failure (S3 unreachable, connection
  lost) records nothing, so the next run tries the file again.
- CREATE and DROP refuse to run inside a transaction block (as Redshift does); they run on a
  connection of their own so the caller's session stays outside any transaction.
- An object overwritten after the job took it (loaded, failed or skipped) is **not reloaded, and
  never skipped silently**. AWS: "Amazon Redshift keeps track of the loaded files (based on
  filename) to verify that they are loaded only one time"
  (https://docs.aws.amazon.com/redshift/latest/dg/r_COPY-JOB.html), and SYS_COPY_JOB_DETAIL keeps
  each file's ``file_etag`` (https://docs.aws.amazon.com/redshift/latest/dg/SYS_COPY_JOB_DETAIL.html).
  AMBIG: the docs do not say what happens to an overwritten name; we follow "by filename, once"
  (reloading would append the new version's rows to the old ones, a silent duplicate — worse than
  a loud skip). The ledger keeps the ETag of the version that was read (from the GET itself, so an
  overwrite between listing and reading cannot mislabel it); a run that lists a different ETag
  records a 'changed' row in ``copy_job_file_change`` (once per new version) and puts a warning
  naming the key and both ETags in its result (``RunResult.changed``/``message``; `dwh ingest`
  prints it on stderr) — on every run, until someone acts (e.g. uploads the new data under a new
  name). Local ``file://`` lakes have no ETag and are tracked by name only.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from datetime import datetime, timezone

from ..copy.jobs import (CHANGED, FAILED, LOADED, SKIPPED, Job, JobFile, RunResult,  # noqa: F401 - re-exported
                         _changed, client_for, list_files, pinned_source, run_message)
from ..errors import CopyError, LoadError
from . import pg_system_tables
from .pg_sink import run_copy

SCHEMA = pg_system_tables.SCHEMA
log = logging.getLogger("dwhkit")

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE SEQUENCE IF NOT EXISTS {SCHEMA}.copy_job_id_seq;
CREATE TABLE IF NOT EXISTS {SCHEMA}.sys_copy_job (
    job_id bigint PRIMARY KEY, job_name char(128) NOT NULL UNIQUE, iam_role char(128),
    job_text char(256), is_auto integer, on_error_suspend integer);
CREATE TABLE IF NOT EXISTS {SCHEMA}.copy_job_spec (
    job_id bigint PRIMARY KEY REFERENCES {SCHEMA}.sys_copy_job ON DELETE CASCADE,
    copy_text text NOT NULL, source text NOT NULL, created_at timestamp NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.copy_job_file (
    job_id bigint NOT NULL REFERENCES {SCHEMA}.sys_copy_job ON DELETE CASCADE,
    filename varchar(1024) NOT NULL, status varchar(8) NOT NULL, rows_loaded bigint,
    query integer, loaded_at timestamp NOT NULL,
    PRIMARY KEY (job_id, filename));
ALTER TABLE {SCHEMA}.copy_job_file ADD COLUMN IF NOT EXISTS etag varchar(128);
CREATE TABLE IF NOT EXISTS {SCHEMA}.copy_job_file_change (
    job_id bigint NOT NULL REFERENCES {SCHEMA}.sys_copy_job ON DELETE CASCADE,
    filename varchar(1024) NOT NULL, status varchar(8) NOT NULL, loaded_etag varchar(128),
    etag varchar(128) NOT NULL, detected_at timestamp NOT NULL,
    PRIMARY KEY (job_id, filename, etag));
"""
# The ALTER brings a ledger made by round one (no etag column) up to date; the change table is
# created last, so its presence means the whole store is current (ensure_job_tables' fast path).
LAST_OBJECT = f"{SCHEMA}.copy_job_file_change"

def ensure_job_tables(conn) -> None:
    """Create the job store if missing (idempotent; one catalog lookup when it exists)."""
    pg_system_tables.ensure_system_tables(conn)
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (LAST_OBJECT,))
        if cur.fetchone()[0]:
            return
        # one string, so one transaction even on an autocommit connection: the lock then holds
        # until the DDL is done, and two sessions upgrading a round-one store take turns
        cur.execute(f"SELECT pg_advisory_xact_lock(hashtext('{SCHEMA}.copy_job'));\n{DDL}")


# -- connections ----------------------------------------------------------------------------------
@contextlib.contextmanager
def _own_connection(conn, conn_factory):
    """A connection whose transactions we control: a fresh one when we can open one, else the
    caller's (which must then be idle). Commits on success, rolls back on error."""
    own = conn_factory() if conn_factory is not None else conn
    try:
        own.autocommit = False
        yield own
        own.commit()
    except BaseException:
        with contextlib.suppress(Exception):
            own.rollback()
        raise
    finally:
        if own is not conn:
            own.close()


def _outside_transaction(conn, what: str) -> None:
    import psycopg2.extensions as ext

    if not conn.autocommit and conn.get_transaction_status() != ext.TRANSACTION_STATUS_IDLE:
        raise CopyError(f"COPY JOB {what} cannot run inside a transaction block")


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


# -- the store ------------------------------------------------------------------------------------
def get_job(conn, name: str, *, lock: bool = False) -> Job:
    with conn.cursor() as cur:
        cur.execute(f"SELECT j.job_id, trim(j.job_name), j.is_auto, s.copy_text, s.source "
                    f"FROM {SCHEMA}.sys_copy_job j JOIN {SCHEMA}.copy_job_spec s USING (job_id) "
                    f"WHERE j.job_name = %s{' FOR UPDATE OF j' if lock else ''}", (name,))
        row = cur.fetchone()
    if row is None:
        raise CopyError(f"COPY JOB {name} does not exist")
    return Job(row[0], row[1], bool(row[2]), row[3], row[4])


def list_jobs(conn, *, auto_only: bool = False) -> list[Job]:
    with conn.cursor() as cur:
        cur.execute(f"SELECT trim(job_name) FROM {SCHEMA}.sys_copy_job "
                    f"{'WHERE is_auto = 1 ' if auto_only else ''}ORDER BY job_id")
        names = [r[0] for r in cur.fetchall()]
    return [get_job(conn, n) for n in names]


def create_job(conn, cmd, *, s3_client=None) -> Job:
    """Store the job and baseline its prefix: files already there are 'skipped' (see module doc)."""
    _, name, auto = cmd.job
    stored = dataclasses.replace(cmd, job=None)
    ensure_job_tables(conn)
    with conn.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {SCHEMA}.sys_copy_job WHERE job_name = %s", (name,))
        if cur.fetchone():
            raise CopyError(f"COPY JOB {name} already exists")
        cur.execute(f"SELECT nextval('{SCHEMA}.copy_job_id_seq')")
        job_id = cur.fetchone()[0]
        cur.execute(f"INSERT INTO {SCHEMA}.sys_copy_job VALUES (%s, %s, %s, %s, %s, 0)",
                    (job_id, name, (stored.credentials.iam_role or "")[:128], cmd.text[:256],
                     1 if auto == "on" else 0))
        cur.execute(f"INSERT INTO {SCHEMA}.copy_job_spec VALUES (%s, %s, %s, %s)",
                    (job_id, cmd.text, cmd.source, _now()))
        existing = list_files(stored, s3_client)
        if existing:
            from psycopg2.extras import execute_values

            execute_values(cur, f"INSERT INTO {SCHEMA}.copy_job_file (job_id, filename, status, loaded_at, etag) "
                                "VALUES %s", [(job_id, f.url, SKIPPED, _now(), f.etag) for f in existing])
    return get_job(conn, name)


def ledger(conn, job_id: int) -> dict[str, tuple[str, str | None]]:
    """{filename: (status, ETag of the version the job took)}."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT filename, status, etag FROM {SCHEMA}.copy_job_file WHERE job_id = %s", (job_id,))
        return {name: (status, etag) for name, status, etag in cur.fetchall()}


def _baseline(conn, job_id: int, done: dict, found: list) -> None:
    """Ledger rows from before ETags were kept get the ETag listed now: the best baseline there is
    (an overwrite before this run cannot be told apart), so later overwrites are caught."""
    missing = [(f.etag, f.url) for f in found
               if getattr(f, "etag", None) and f.url in done and done[f.url][1] is None]
    if missing:
        with conn.cursor() as cur:
            cur.executemany(f"UPDATE {SCHEMA}.copy_job_file SET etag = %s "
                            "WHERE job_id = %s AND filename = %s AND etag IS NULL",
                            [(etag, job_id, url) for etag, url in missing])


def _record_changes(conn, job_id: int, changed) -> None:
    """One 'changed' row per new version of a taken file (a rerun seeing the same one adds none)."""
    if not changed:
        return
    with conn.cursor() as cur:
        for url, _, loaded_etag, etag in changed:
            cur.execute(f"INSERT INTO {SCHEMA}.copy_job_file_change "
                        "(job_id, filename, status, loaded_etag, etag, detected_at) "
                        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                        (job_id, url, CHANGED, loaded_etag, etag, _now()))


def run_job(conn_factory, name: str, *, s3_client=None, files=None, on_file=None) -> RunResult:
    """Load every file under the job's prefix that is not in its ledger, each in its own
    transaction on its own connection (see the module docstring for why this is exactly once)."""
    t0 = time.monotonic()
    control = conn_factory()
    control.autocommit = True
    try:
        ensure_job_tables(control)
        job = get_job(control, name)
        cmd = job.command
        client = s3_client or client_for(cmd)
        found = list_files(cmd, client) if files is None else files
        done = ledger(control, job.job_id)
        result = RunResult(changed=_changed(done, found))
        _record_changes(control, job.job_id, result.changed)
        _baseline(control, job.job_id, done, found)
    finally:
        control.close()
    todo = [f for f in found if f.url not in done]
    if todo:
        work = conn_factory()
        try:
            deferred = []
            for f in todo:
                if not _load_one(work, conn_factory, job, cmd, client, f, result, wait=False):
                    deferred.append(f)
                elif on_file:
                    on_file(f, result)
            for f in deferred:       # held by another runner (or a hash twin): wait, then re-check
                _load_one(work, conn_factory, job, cmd, client, f, result, wait=True)
                if on_file:
                    on_file(f, result)
        finally:
            work.close()
    result.seconds = time.monotonic() - t0
    result.message = run_message(name, result)
    if result.changed:
        log.warning("COPY JOB %s: %d file(s) overwritten after they were taken; not reloaded: %s",
                    name, len(result.changed), ", ".join(c[0] for c in result.changed))
    return result


def _load_one(conn, conn_factory, job: Job, cmd, client, f, result: RunResult, *, wait: bool) -> bool:
    """One file, one transaction. False when another session holds the file (try again later)."""
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            lock = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
            cur.execute(f"SELECT {lock}(%s, hashtext(%s))", (job.job_id & 0x7FFFFFFF, f.url))
            if not wait and not cur.fetchone()[0]:
                conn.rollback()
                return False
            cur.execute(f"INSERT INTO {SCHEMA}.copy_job_file (job_id, filename, status, loaded_at) "
                        f"VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING", (job.job_id, f.url, LOADED, _now()))
            if cur.rowcount == 0:          # loaded (or skipped, or failed) already
                conn.rollback()
                return True
        source, etags = pinned_source(cmd, client, f)

        def read_etag():
            """The ETag of the version the loader read (else the listing's)."""
            return etags.get((f.bucket, f.key)) or getattr(f, "etag", None)

        try:
            copy = run_copy(conn, cmd, side_conn_factory=conn_factory, source=source)
        except LoadError:
            # bad records: the loader rolled its savepoint back; keep the ledger row, as failed
            with conn.cursor() as cur:
                cur.execute(f"UPDATE {SCHEMA}.copy_job_file SET status = %s, rows_loaded = 0, etag = %s "
                            "WHERE job_id = %s AND filename = %s", (FAILED, read_etag(), job.job_id, f.url))
            conn.commit()
            result.failed.append(f.url)
            return True
        with conn.cursor() as cur:
            cur.execute(f"UPDATE {SCHEMA}.copy_job_file SET rows_loaded = %s, query = %s, loaded_at = %s, "
                        "etag = %s WHERE job_id = %s AND filename = %s",
                        (copy.rows_loaded, copy.query_id, _now(), read_etag(), job.job_id, f.url))
            cur.execute(f"UPDATE {SCHEMA}.stl_load_commits SET copy_job_id = %s WHERE query = %s",
                        (job.job_id, copy.query_id))
        conn.commit()
    except BaseException:
        with contextlib.suppress(Exception):
            conn.rollback()
        raise
    result.rows_loaded += copy.rows_loaded
    result.rows_rejected += copy.rows_rejected
    result.files.append(f.url)
    result.query_id = copy.query_id
    return True


# -- the statement dispatcher ---------------------------------------------------------------------
JOB_COLUMNS = "job_id, trim(job_name) AS job_name, trim(iam_role) AS iam_role, trim(job_text) AS job_text, " \
              "is_auto, on_error_suspend"


def run_job_command(conn, cmd, *, cursor=None, conn_factory=None, s3_client=None):
    """Run a parsed ``COPY … JOB CREATE`` or ``COPY JOB ALTER|RUN|LIST|SHOW|DROP``.

    LIST and SHOW run a SELECT on ``cursor`` (the caller's driver cursor), so ``fetchall()`` gives
    the rows. RUN returns its RunResult; the others return None."""
    action = cmd.job[0]
    if action in ("create", "drop"):
        _outside_transaction(conn, action.upper())
        with _own_connection(conn, conn_factory) as own:
            if action == "create":
                create_job(own, cmd, s3_client=s3_client)
            else:
                ensure_job_tables(own)
                get_job(own, cmd.job[1], lock=True)
                with own.cursor() as cur:
                    cur.execute(f"DELETE FROM {SCHEMA}.sys_copy_job WHERE job_name = %s", (cmd.job[1],))
        return None
    if action == "run":
        if conn_factory is None:
            raise CopyError("COPY JOB RUN needs a way to open connections (one transaction per file)")
        return run_job(conn_factory, cmd.job[1], s3_client=s3_client)
    if conn_factory is not None:            # make the store visible before reading it
        with _own_connection(conn, conn_factory) as own:
            ensure_job_tables(own)
    else:
        ensure_job_tables(conn)
    cur = cursor if cursor is not None else conn.cursor()
    if action == "alter":
        cur.execute(f"SELECT 1 FROM {SCHEMA}.sys_copy_job WHERE job_name = %s", (cmd.job[1],))
        if cur.fetchone() is None:
            raise CopyError(f"COPY JOB {cmd.job[1]} does not exist")
        if len(cmd.job) > 2:
            cur.execute(f"UPDATE {SCHEMA}.sys_copy_job SET is_auto = %s WHERE job_name = %s",
                        (1 if cmd.job[2] == "on" else 0, cmd.job[1]))
        return None
    if action == "list":
        cur.execute(f"SELECT {JOB_COLUMNS} FROM {SCHEMA}.sys_copy_job ORDER BY job_id")
        return None
    if action == "show":
        cur.execute(f"SELECT j.job_id, trim(j.job_name) AS job_name, trim(j.iam_role) AS iam_role, "
                    f"s.copy_text AS job_text, j.is_auto, j.on_error_suspend, s.source, s.created_at, "
                    f"(SELECT COUNT(*) FROM {SCHEMA}.copy_job_file f "
                    f" WHERE f.job_id = j.job_id AND f.status = '{LOADED}') AS files_loaded, "
                    f"(SELECT COALESCE(SUM(rows_loaded), 0) FROM {SCHEMA}.copy_job_file f "
                    f" WHERE f.job_id = j.job_id) AS rows_loaded, "
                    f"(SELECT COUNT(DISTINCT filename) FROM {SCHEMA}.copy_job_file_change c "
                    f" WHERE c.job_id = j.job_id) AS files_changed "
                    f"FROM {SCHEMA}.sys_copy_job j JOIN {SCHEMA}.copy_job_spec s USING (job_id) "
                    f"WHERE j.job_name = %s", (cmd.job[1],))
        if cur.rowcount == 0:
            raise CopyError(f"COPY JOB {cmd.job[1]} does not exist")
        return None
    raise CopyError(f"unknown COPY JOB action {action!r}")
