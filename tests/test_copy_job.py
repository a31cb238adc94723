"""COPY JOB on a Postgres target: from the statement through the cursor to the job store, the
ledger and stl_load_commits (moto S3 over HTTP, a real Postgres)."""
from __future__ import annotations

import gzip

import pytest

from dwhkit import app
from dwhkit.targets.pg_jobs import SCHEMA
from dwhkit.errors import CopyError, CopySyntaxError
from dwhkit.app import target_for
from dwhkit.warehouses.criteo import sql as criteo_sql
from dwhkit.warehouses.criteo.sample import write_parts

ROLE = "arn:aws:iam::123456789012:role/dwhkit-copy"
JOB = "criteo_ingest"


@pytest.fixture
def dwh_config(dwh_config):
    """The test database with the criteo warehouse selected: its schema is on the search path."""
    return dwh_config.with_overrides(warehouse="criteo")


def job_sql(bucket: str, name: str = JOB, auto: str = "") -> str:
    """The warehouse's own COPY, as a job."""
    copy = criteo_sql.COPY_IMPRESSION.format(source=f"s3://{bucket}/impressions/part-", auth=f"IAM_ROLE '{ROLE}'")
    return f"{copy.strip()}\nJOB CREATE {name}{' AUTO ' + auto if auto else ''}"


def upload_parts(s3, bucket, tmp_path, rows: int, parts: int, first: int = 0, seed: int = 7) -> int:
    """Upload `parts` generated files (part-<first>… ) and return their row count."""
    for path in write_parts(tmp_path / f"gen{first}", rows, parts, seed=seed, first_part=first):
        s3.upload_file(str(path), bucket, f"impressions/{path.name}")
    return rows


def connect(config):
    conn = target_for(config).connect()
    conn.autocommit = True
    return conn


def scalar(conn, sql, params=None):
    cur = conn.cursor()
    cur.execute(sql, params)
    return cur.fetchone()[0]


def job_files(conn, status=None) -> int:
    where = f" AND status = '{status}'" if status else ""
    return scalar(conn, f"SELECT COUNT(*) FROM {SCHEMA}.copy_job_file f JOIN {SCHEMA}.sys_copy_job j "
                        f"USING (job_id) WHERE j.job_name = %s{where}", (JOB,))


def committed_files(conn) -> int:
    """Files whose stl_load_commits row carries the job's id (set only in the file's transaction)."""
    return scalar(conn, f"SELECT COUNT(*) FROM {SCHEMA}.stl_load_commits c JOIN {SCHEMA}.sys_copy_job j "
                        "ON j.job_id = c.copy_job_id WHERE j.job_name = %s", (JOB,))


@pytest.fixture
def criteo_db(dwh_config):
    app.create_tables(dwh_config, "criteo")
    conn = connect(dwh_config)
    yield conn
    conn.close()


def test_create_skips_existing_files_then_run_loads_new_ones_once(criteo_db, s3, bucket, tmp_path):
    # AMBIG (§9, current docs): files already under the prefix at CREATE are not ingested
    upload_parts(s3, bucket, tmp_path, 300, 2, first=0)
    cur = criteo_db.cursor()
    cur.execute(job_sql(bucket))
    assert job_files(criteo_db, "skipped") == 2
    new = upload_parts(s3, bucket, tmp_path, 500, 3, first=2)
    cur.execute(f"COPY JOB RUN {JOB}")
    assert cur.rowcount == new and len(cur.last_copy.files) == 3
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == new
    cur.execute(f"COPY JOB RUN {JOB}")                      # nothing new: nothing loaded
    assert cur.rowcount == 0
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == new
    assert job_files(criteo_db, "loaded") == 3 and committed_files(criteo_db) == 3
    assert scalar(criteo_db, f"SELECT SUM(rows_loaded) FROM {SCHEMA}.copy_job_file") == new


def test_list_show_alter_drop_through_the_cursor(criteo_db, s3, bucket, tmp_path):
    cur = criteo_db.cursor()
    cur.execute(job_sql(bucket, auto="OFF"))
    cur.execute("COPY JOB LIST")
    cols = [d[0] for d in cur.description]
    assert cols == ["job_id", "job_name", "iam_role", "job_text", "is_auto", "on_error_suspend"]
    (row,) = cur.fetchall()
    assert row[1] == JOB and row[2] == ROLE and row[4] == 0 and row[3].startswith("COPY staging_impression")
    cur.execute(f"COPY JOB ALTER {JOB} AUTO ON")
    upload_parts(s3, bucket, tmp_path, 100, 1)
    cur.execute(f"COPY JOB RUN {JOB}")
    cur.execute(f"COPY JOB SHOW {JOB}")
    show = dict(zip([d[0] for d in cur.description], cur.fetchone()))
    assert show["is_auto"] == 1 and show["files_loaded"] == 1 and show["rows_loaded"] == 100
    assert "JOB CREATE" in show["job_text"] and show["source"] == f"s3://{bucket}/impressions/part-"
    # the SYS_COPY_JOB query of the AWS docs runs as written (schema on the search path aside)
    cur.execute(f"SELECT job_id, job_name, iam_role, job_text, is_auto, on_error_suspend FROM {SCHEMA}.sys_copy_job")
    assert len(cur.fetchall()) == 1
    cur.execute(f"COPY JOB DROP {JOB}")
    cur.execute("COPY JOB LIST")
    assert cur.fetchall() == []
    for stmt in (f"COPY JOB RUN {JOB}", f"COPY JOB SHOW {JOB}", f"COPY JOB ALTER {JOB} AUTO OFF",
                 f"COPY JOB DROP {JOB}"):
        with pytest.raises(CopyError, match="does not exist"):
            cur.execute(stmt)


def test_create_and_drop_refused_inside_a_transaction_block(criteo_db, s3, bucket):
    criteo_db.autocommit = False
    cur = criteo_db.cursor()
    cur.execute("SELECT 1")
    with pytest.raises(CopyError, match="transaction block"):
        cur.execute(job_sql(bucket))
    criteo_db.rollback()
    cur.execute(job_sql(bucket))                  # idle session: fine, and it stays idle
    import psycopg2.extensions as ext
    assert criteo_db.raw.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
    with pytest.raises(CopyError, match="already exists"):
        cur.execute(job_sql(bucket))


def test_job_statement_restrictions_reach_the_caller(criteo_db, bucket):
    cur = criteo_db.cursor()
    bad = job_sql(bucket).replace(f"IAM_ROLE '{ROLE}'", "IAM_ROLE default")
    with pytest.raises(CopySyntaxError, match="IAM_ROLE"):
        cur.execute(bad)
    with pytest.raises(CopySyntaxError, match="MAXERROR"):
        cur.execute(job_sql(bucket).replace("GZIP", "GZIP MAXERROR 5"))
    with pytest.raises(CopySyntaxError, match="hyphen"):
        cur.execute(job_sql(bucket, name="bad-name"))


def test_failed_file_is_recorded_and_not_retried(criteo_db, s3, bucket, tmp_path):
    # AMBIG (decision): a file with a bad record fails whole (jobs have no MAXERROR), is logged in
    # stl_load_errors and marked 'failed' in the ledger; the job goes on and never retries the name.
    cur = criteo_db.cursor()
    cur.execute(job_sql(bucket))
    good = upload_parts(s3, bucket, tmp_path, 200, 2)
    s3.put_object(Bucket=bucket, Key="impressions/part-00009.tsv.gz",
                  Body=gzip.compress(b"1\t" + b"\t" * 38 + b"\nclick\t" + b"\t" * 38 + b"\n"))
    cur.execute(f"COPY JOB RUN {JOB}")
    assert cur.rowcount == good and len(cur.last_copy.failed) == 1
    assert job_files(criteo_db, "failed") == 1 and job_files(criteo_db, "loaded") == 2
    assert scalar(criteo_db, f"SELECT COUNT(*) FROM {SCHEMA}.stl_load_errors WHERE filename LIKE '%%part-00009%%'") == 1
    cur.execute(f"COPY JOB RUN {JOB}")
    assert cur.rowcount == 0 and cur.last_copy.failed == []
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == good


def test_prefix_twins_each_load_once(criteo_db, s3, bucket, tmp_path):
    """`part-1` is a prefix of `part-10`: a file's own COPY must still see only that file."""
    cur = criteo_db.cursor()
    cur.execute(job_sql(bucket))
    paths = write_parts(tmp_path, 300, 2)
    s3.upload_file(str(paths[0]), bucket, "impressions/part-1")
    s3.upload_file(str(paths[1]), bucket, "impressions/part-10")
    cur.execute(f"COPY JOB RUN {JOB}")
    assert cur.rowcount == 300
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == 300


def test_job_over_a_local_lake(criteo_db, tmp_path):
    """file:/// prefixes (dwhkit's local lake) work the same way."""
    lake = tmp_path / "lake"
    (lake / "impressions").mkdir(parents=True)
    copy = criteo_sql.COPY_IMPRESSION.format(source=f"{(lake / 'impressions').as_uri()}/part-",
                                             auth=f"IAM_ROLE '{ROLE}'")
    cur = criteo_db.cursor()
    cur.execute(f"{copy.strip()} JOB CREATE {JOB}")
    write_parts(lake, 400, 4)
    cur.execute(f"COPY JOB RUN {JOB}")
    cur.execute(f"COPY JOB RUN {JOB}")
    assert scalar(criteo_db, "SELECT COUNT(*) FROM staging_impression") == 400
    assert committed_files(criteo_db) == 4
