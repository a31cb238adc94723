"""A simple Query holding several statements and a COPY runs as one transaction through `dwh serve`,
as Postgres runs a multi-statement Query (session.py, _run_as_one_query): compared with what the
same client sees straight from Postgres where Postgres can run the message itself."""
from __future__ import annotations

import io
import uuid

import psycopg2
import psycopg2.extensions as ext
import pytest

import dwhkit
from tests.test_serve import connect, endpoint, serve_config, serve_db  # noqa: F401 - module fixtures

ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/x'"


@pytest.fixture()
def csv_keys(s3, bucket):
    s3.put_object(Bucket=bucket, Key="good.csv", Body=b"1,one\n2,two\n")
    s3.put_object(Bucket=bucket, Key="bad.csv", Body=b"3,three\nnot-a-number,bad\n")
    return {"good": f"s3://{bucket}/good.csv", "bad": f"s3://{bucket}/bad.csv"}


def _session(ep):
    conn = connect(ep)
    conn.autocommit = True  # psycopg2 sends no BEGIN of its own: the message is all there is
    return conn


def _exists(cur, table) -> bool:
    cur.execute(f"SELECT to_regclass('{table}') IS NOT NULL")
    return cur.fetchone()[0]


def test_an_error_after_a_copy_undoes_the_whole_message(endpoint, serve_db, csv_keys):  # noqa: F811
    """Postgres: a failure anywhere rolls back every statement of the message outside an explicit
    block. The same message shape, with 1/0 as the failure, straight on Postgres; then through the
    endpoint with a COPY in the middle and the COPY's own failure."""
    t = f"one_{uuid.uuid4().hex[:8]}"
    direct = psycopg2.connect(**serve_db)
    direct.autocommit = True
    with direct.cursor() as cur:
        with pytest.raises(psycopg2.Error):
            cur.execute(f"CREATE TABLE {t} (id INT, name VARCHAR(10)); INSERT INTO {t} VALUES (0, 'zero'); "
                        "SELECT 1/0")
        assert direct.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
        assert not _exists(cur, t)
    direct.close()

    conn = _session(endpoint)
    try:
        cur = conn.cursor()
        with pytest.raises(psycopg2.Error, match="Load into table"):
            cur.execute(f"CREATE TABLE {t} (id INT, name VARCHAR(10)); INSERT INTO {t} VALUES (0, 'zero'); "
                        f"COPY {t} FROM '{csv_keys['good']}' {ROLE} CSV; "
                        f"COPY {t} FROM '{csv_keys['bad']}' {ROLE} CSV; INSERT INTO {t} VALUES (9, 'nine')")
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
        assert not _exists(cur, t)  # the CREATE, the INSERT and the good COPY went with the failure
        cur.execute("SELECT 1")  # the session goes on
        assert cur.fetchone() == (1,)
    finally:
        conn.close()


def test_statements_around_a_copy_commit_together(endpoint, csv_keys):  # noqa: F811
    t = f"two_{uuid.uuid4().hex[:8]}"
    conn = _session(endpoint)
    try:
        cur = conn.cursor()
        cur.execute(f"CREATE TABLE {t} (id INT, name VARCHAR(10)); COPY {t} FROM '{csv_keys['good']}' {ROLE} CSV; "
                    f"INSERT INTO {t} VALUES (9, 'nine'); SELECT COUNT(*) FROM {t}")
        assert cur.fetchone() == (3,)  # the last statement's result, as Postgres returns it
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
        other = _session(endpoint)  # committed: another session sees it
        ocur = other.cursor()
        ocur.execute(f"SELECT id FROM {t} ORDER BY id")
        assert ocur.fetchall() == [(1,), (2,), (9,)]
        other.close()
    finally:
        conn.cursor().execute(f"DROP TABLE IF EXISTS {t}")
        conn.close()


def _commit_without_begin(serve_db) -> str:
    """What Postgres says when a COMMIT ends a message's implicit block."""
    direct = psycopg2.connect(**serve_db)
    direct.autocommit = True
    direct.cursor().execute("SELECT 1; COMMIT; SELECT 2")
    (warning,) = direct.notices
    direct.close()
    return warning


def test_begin_copy_commit_in_one_message(endpoint, serve_db, csv_keys):  # noqa: F811
    commit_without_begin = _commit_without_begin(serve_db)
    assert "there is no transaction in progress" in commit_without_begin
    t = f"three_{uuid.uuid4().hex[:8]}"
    conn = _session(endpoint)
    try:
        cur = conn.cursor()
        cur.execute(f"CREATE TABLE {t} (id INT, name VARCHAR(10))")
        cur.execute(f"BEGIN; COPY {t} FROM '{csv_keys['good']}' {ROLE} CSV; COMMIT;")
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
        cur.execute(f"SELECT COUNT(*) FROM {t}")
        assert cur.fetchone() == (2,)
        # BEGIN without its COMMIT: the block stays open after the message, ROLLBACK undoes the load
        cur.execute(f"BEGIN; COPY {t} FROM '{csv_keys['good']}' {ROLE} CSV; INSERT INTO {t} VALUES (9, 'nine')")
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS
        cur.execute(f"SELECT COUNT(*) FROM {t}")
        assert cur.fetchone() == (5,)
        cur.execute("ROLLBACK")
        cur.execute(f"SELECT COUNT(*) FROM {t}")
        assert cur.fetchone() == (2,)
        # a statement before BEGIN joins the block BEGIN opens (Postgres upgrades the implicit one)
        cur.execute(f"INSERT INTO {t} VALUES (7, 'seven'); BEGIN; COPY {t} FROM '{csv_keys['good']}' {ROLE} CSV")
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS
        cur.execute("ROLLBACK")
        cur.execute(f"SELECT COUNT(*) FROM {t}")
        assert cur.fetchone() == (2,)
        # a failure inside an explicit block leaves it failed, as on Postgres
        with pytest.raises(psycopg2.Error, match="Load into table"):
            cur.execute(f"BEGIN; COPY {t} FROM '{csv_keys['bad']}' {ROLE} CSV; COMMIT")
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INERROR
        cur.execute("ROLLBACK")
        # COMMIT in the middle: what follows is a transaction of its own
        del conn.notices[:]
        with pytest.raises(psycopg2.Error, match="Load into table"):
            cur.execute(f"COPY {t} FROM '{csv_keys['good']}' {ROLE} CSV; COMMIT; "
                        f"INSERT INTO {t} VALUES (8, 'eight'); COPY {t} FROM '{csv_keys['bad']}' {ROLE} CSV")
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
        cur.execute(f"SELECT COUNT(*), COUNT(*) FILTER (WHERE id = 8) FROM {t}")
        assert cur.fetchone() == (4, 0)
        assert [n for n in conn.notices if "WARNING" in n] == [commit_without_begin]
    finally:
        conn.cursor().execute(f"DROP TABLE IF EXISTS {t}")
        conn.close()


def _objects(s3, bucket, prefix) -> dict[str, bytes]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
    return {k[len(prefix):]: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


def test_unload_sees_the_clients_uncommitted_rows_and_writes_what_connect_writes(
        endpoint, serve_config, s3, bucket):  # noqa: F811
    """Redshift: UNLOAD is a statement of the client's transaction and reads what it sees
    (https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html runs "the results of a query";
    a query in a transaction sees its own writes). Through the endpoint, inside an open block, the
    rows are not committed yet; the files (data and VERBOSE manifest, so the column description
    too) must equal those of the same UNLOAD through dwhkit.connect() on committed rows."""
    t = f"unl_{uuid.uuid4().hex[:8]}"
    ddl = (f"CREATE TABLE {t} (id INT, name VARCHAR(12), amount DECIMAL(12,2), day DATE, at TIMESTAMP, "
           "ok BOOLEAN, note CHAR(3))")
    rows = (f"INSERT INTO {t} VALUES (1, 'apple', 12.50, '2024-02-29', '2024-02-29 12:00:01', true, 'a'), "
            "(2, NULL, -0.01, NULL, NULL, false, NULL), (3, 'fig|pipe', 1000000.00, '1999-12-31', "
            "'2000-01-01 00:00:00', NULL, 'xyz')")

    def unload(cur, prefix):
        cur.execute(f"UNLOAD ('SELECT * FROM {t} ORDER BY id') TO 's3://{bucket}/{prefix}/' "
                    f"{ROLE} MANIFEST VERBOSE PARALLEL OFF")
        # Parquet keeps numbers, dates and times as values (the typecasters' side of the path)
        cur.execute(f"UNLOAD ('SELECT * FROM {t} ORDER BY id') TO 's3://{bucket}/{prefix}-pq/' "
                    f"{ROLE} FORMAT PARQUET PARALLEL OFF")

    reference = dwhkit.connect(serve_config)
    rcur = reference.cursor()
    rcur.execute(ddl)
    rcur.execute(rows)
    reference.commit()
    unload(rcur, "ref")
    reference.commit()
    rcur.execute(f"DROP TABLE {t}")
    reference.commit()
    reference.close()

    conn = connect(endpoint)  # psycopg2 opens a transaction block: nothing below is committed
    try:
        cur = conn.cursor()
        cur.execute(ddl)
        cur.execute(rows)
        unload(cur, "ep")
        assert cur.statusmessage == "UNLOAD"
        assert any("UNLOAD completed, 3 record(s) unloaded successfully." in n for n in conn.notices)
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS
        cur.execute(f"SELECT COUNT(*) FROM {t}")  # the block goes on after the UNLOAD
        assert cur.fetchone() == (3,)
        conn.rollback()
    finally:
        conn.close()
    ref, ep = _objects(s3, bucket, "ref/"), _objects(s3, bucket, "ep/")
    assert set(ref) == set(ep) and len(ref) == 2  # one data file, one manifest
    for name, data in ref.items():
        assert ep[name] == data.replace(b"/ref/", b"/ep/"), name
    import pyarrow.parquet as pq
    ref_pq, ep_pq = _objects(s3, bucket, "ref-pq/"), _objects(s3, bucket, "ep-pq/")
    assert set(ref_pq) == set(ep_pq) and ref_pq
    for name in ref_pq:
        ref_table, ep_table = (pq.read_table(io.BytesIO(d[name])) for d in (ref_pq, ep_pq))
        assert ep_table.schema == ref_table.schema
        assert ep_table.to_pylist() == ref_table.to_pylist()
    assert ep["000"].startswith(b"1|apple|12.50|2024-02-29|2024-02-29 12:00:01|t|a  \n2||-0.01|||f|\n")


def test_a_failed_unload_in_a_block_aborts_it_and_keeps_its_rows_undone(endpoint, bucket):  # noqa: F811
    t = f"unf_{uuid.uuid4().hex[:8]}"
    conn = connect(endpoint)
    try:
        cur = conn.cursor()
        cur.execute(f"CREATE TABLE {t} (id INT)")
        with pytest.raises(psycopg2.Error, match="UNLOAD failed"):
            cur.execute(f"UNLOAD ('SELECT 1/0 FROM {t}_missing') TO 's3://{bucket}/x/' {ROLE}")
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INERROR  # as any error does
        conn.rollback()
        cur.execute(f"SELECT to_regclass('{t}') IS NULL")
        assert cur.fetchone() == (True,)
    finally:
        conn.close()
