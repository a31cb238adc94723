"""One behaviour suite, run over every target: the same Redshift statements give the same results
whichever engine is configured.

Targets: ``embedded`` (the cluster dwhkit starts itself), ``postgres`` (a plain PostgreSQL this
session starts with initdb — no dwhkit roles or settings, an ordinary role logging in with a
password), and ``redshift`` — a real Amazon Redshift cluster, opt-in: set DWHKIT_TEST_REDSHIFT_HOST,
_PORT, _DB, _USER, _PASSWORD, and for COPY/UNLOAD DWHKIT_TEST_REDSHIFT_BUCKET and _IAM_ROLE.
Every test names its tables with a per-test suffix and drops them, so targets are shared."""
from __future__ import annotations

import json
import os
import uuid

import pytest

import dwhkit
from dwhkit.config import ClusterConfig, Config, Secret
from dwhkit.errors import DwhError



@pytest.fixture(scope="session")
def plain_cluster():
    from tests.pgcluster import start_plain_cluster

    cluster = start_plain_cluster()
    yield cluster
    cluster.stop()


def _redshift_env() -> dict | None:
    keys = ("HOST", "PORT", "DB", "USER", "PASSWORD")
    values = {k: os.environ.get(f"DWHKIT_TEST_REDSHIFT_{k}") for k in keys}
    return values if all(values.values()) else None


# A real cluster joins the run only when it is configured: no skipped tests otherwise.
TARGETS = ["embedded", "postgres"] + (["redshift"] if _redshift_env() else [])


@pytest.fixture(params=TARGETS)
def target_config(request, tmp_path) -> Config:
    cfg_file = tmp_path / "dwh.cfg"
    cfg_file.write_text(f"[TARGET]\ntype = {request.param}\n")
    if request.param == "embedded":
        server = request.getfixturevalue("pg_embedded_server")
        return Config(path=cfg_file, target_type="embedded", embedded_data_dir=server.root)
    if request.param == "postgres":
        c = request.getfixturevalue("plain_cluster")
        return Config(path=cfg_file, target_type="postgres",
                      cluster=ClusterConfig(host="127.0.0.1", port=c.port, db_name=c.dbname, db_user=c.user,
                                            db_password=Secret(c.password)))
    env = _redshift_env()
    return Config(path=cfg_file, target_type="redshift",
                  cluster=ClusterConfig(host=env["HOST"], port=int(env["PORT"]), db_name=env["DB"],
                                        db_user=env["USER"], db_password=Secret(env["PASSWORD"])))


class Names:
    """Per-test table names (``events`` → ``events_3f2a…``), dropped at the end."""

    def __init__(self):
        self.suffix = uuid.uuid4().hex[:10]
        self.made: list[str] = []

    def __call__(self, base: str) -> str:
        name = f"{base}_{self.suffix}"
        self.made.append(name)
        return name


@pytest.fixture
def db(target_config):
    conn = dwhkit.connect(target_config)
    names = Names()
    yield conn, names
    conn.rollback()
    conn.autocommit = True
    with conn.cursor() as cur:
        for name in reversed(names.made):
            cur.execute(f"DROP TABLE IF EXISTS {name}")
    conn.close()


def rows(conn, sql, params=None):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def run(conn, *sqls):
    with conn.cursor() as cur:
        for sql in sqls:
            cur.execute(sql)


# -- DDL ------------------------------------------------------------------------------------------
def test_redshift_ddl_creates_a_usable_table(db):
    conn, name = db
    t = name("events")
    run(conn, f"""CREATE TABLE {t} (
        id BIGINT IDENTITY(0, 1) NOT NULL, user_id INTEGER NOT NULL DISTKEY ENCODE az64,
        kind VARCHAR(32) ENCODE zstd, at TIMESTAMP SORTKEY, amount DECIMAL(12, 2), ok BOOLEAN)
        DISTSTYLE KEY""")
    run(conn, f"INSERT INTO {t} (user_id, kind, at, amount, ok) VALUES "
              "(7, 'click', '2024-02-29 10:00:00', 12.50, TRUE), (8, 'view', '2024-03-01 00:00:00', NULL, FALSE)")
    conn.commit()
    got = rows(conn, f"SELECT id, user_id, kind, amount FROM {t} ORDER BY id")
    assert [(r[1], r[2]) for r in got] == [(7, "click"), (8, "view")]
    assert got[0][0] < got[1][0]                              # IDENTITY numbers the rows
    assert str(got[0][3]) == "12.50" and got[1][3] is None


def test_create_table_as_and_like(db):
    conn, name = db
    src, copy_, like = name("src"), name("ctas"), name("liked")
    run(conn, f"CREATE TABLE {src} (a INT, b VARCHAR(10)) DISTSTYLE EVEN",
        f"INSERT INTO {src} VALUES (1, 'x'), (2, 'y')",
        f"CREATE TABLE {copy_} DISTKEY(a) SORTKEY(a) AS SELECT a * 10 AS a10, b FROM {src}",
        f"CREATE TABLE {like} (LIKE {src})")
    assert rows(conn, f"SELECT a10, b FROM {copy_} ORDER BY a10") == [(10, "x"), (20, "y")]
    assert rows(conn, f"SELECT COUNT(*) FROM {like}") == [(0,)]


# -- functions ------------------------------------------------------------------------------------
@pytest.mark.parametrize("sql, expected", [
    ("SELECT NVL(NULL, 'b')", "b"),
    ("SELECT NVL2(NULL, 'x', 'y')", "y"),
    ("SELECT DECODE(2, 1, 'one', 2, 'two', 'other')", "two"),
    ("SELECT DATEADD(month, 1, '2024-01-31'::date)::date", "2024-02-29"),
    ("SELECT DATEDIFF(day, '2024-01-01'::date, '2024-03-01'::date)", "60"),
    ("SELECT LEN('abc  '::varchar(8))", "5"),               # LEN counts trailing blanks of VARCHAR…
    ("SELECT LEN('abc  '::char(8))", "3"),                  # …not of CHAR (the LEN page)
    ("SELECT CHARINDEX('c', 'abcd')", "3"),
    ("SELECT CONVERT(INTEGER, '42')", "42"),
    ("SELECT TRUNC('2024-05-17 13:45:00'::timestamp)", "2024-05-17"),
    ("SELECT TO_CHAR('2024-12-03'::date, 'MON DD, YYYY')", "DEC 03, 2024"),
    ("SELECT SPLIT_PART('a,b,c', ',', 2)", "b"),
    ("SELECT JSON_EXTRACT_PATH_TEXT('{\"a\": {\"b\": 5}}', 'a', 'b')", "5"),
    ("SELECT REGEXP_REPLACE('a1b22c', '[0-9]+', '#')", "a#b#c"),
])
def test_functions_give_redshift_results(db, sql, expected):
    conn, _ = db
    assert str(rows(conn, sql)[0][0]) == expected


def test_listagg_over_a_table(db):
    conn, name = db
    t = name("agg")
    run(conn, f"CREATE TABLE {t} (g INT, x VARCHAR(4))", f"INSERT INTO {t} VALUES (1, 'b'), (1, 'a'), (2, NULL)")
    assert rows(conn, f"SELECT g, LISTAGG(x, ',') WITHIN GROUP (ORDER BY x) FROM {t} GROUP BY g ORDER BY g") == \
        [(1, "a,b"), (2, None)]


# -- transactions ---------------------------------------------------------------------------------
def test_rollback_undoes_and_commit_keeps(db):
    conn, name = db
    t = name("tx")
    run(conn, f"CREATE TABLE {t} (a INT)")
    conn.commit()
    run(conn, f"INSERT INTO {t} VALUES (1)")
    conn.rollback()
    run(conn, f"INSERT INTO {t} VALUES (2)")
    conn.commit()
    assert rows(conn, f"SELECT a FROM {t}") == [(2,)]


def test_an_error_aborts_the_transaction_until_rollback(db):
    conn, name = db
    t = name("aborted")
    run(conn, f"CREATE TABLE {t} (a INT)")
    conn.commit()
    with pytest.raises(Exception) as failed:
        run(conn, f"INSERT INTO {t} VALUES ('not a number')")
    assert "integer" in str(failed.value).lower()
    with pytest.raises(Exception) as aborted:
        run(conn, "SELECT 1")
    assert "aborted" in str(aborted.value).lower()
    conn.rollback()
    assert rows(conn, "SELECT 1") == [(1,)]


def test_parameters_are_bound_not_spliced(db):
    conn, name = db
    t = name("params")
    run(conn, f"CREATE TABLE {t} (s VARCHAR(64))")
    evil = "x'); DROP TABLE " + t + "; --"
    with conn.cursor() as cur:
        cur.execute(f"INSERT INTO {t} VALUES (%s)", (evil,))
    assert rows(conn, f"SELECT s FROM {t} WHERE s = %(v)s", {"v": evil}) == [(evil,)]


# -- errors ---------------------------------------------------------------------------------------
def test_unknown_table_is_an_error_naming_it(db):
    conn, name = db
    with pytest.raises(Exception) as failed:
        run(conn, f"SELECT * FROM {name('missing')}")
    assert "does not exist" in str(failed.value)
    conn.rollback()


def test_syntax_error_names_the_place(db):
    conn, _ = db
    with pytest.raises(Exception) as failed:
        run(conn, "SELECT a FORM t")
    assert "FORM" in str(failed.value)
    conn.rollback()


# -- COPY and UNLOAD ------------------------------------------------------------------------------
@pytest.fixture
def lake(target_config, request):
    """(bucket, boto3 client, IAM_ROLE clause) the target's COPY and UNLOAD reach."""
    if target_config.target_type == "redshift":
        bucket, role = os.environ.get("DWHKIT_TEST_REDSHIFT_BUCKET"), os.environ.get("DWHKIT_TEST_REDSHIFT_IAM_ROLE")
        if not (bucket and role):
            pytest.skip("COPY on a real cluster needs DWHKIT_TEST_REDSHIFT_BUCKET and _IAM_ROLE")
        import boto3

        return bucket, boto3.client("s3"), f"IAM_ROLE '{role}'"
    s3 = request.getfixturevalue("s3")
    return request.getfixturevalue("bucket"), s3, "IAM_ROLE 'arn:aws:iam::123456789012:role/load'"


def test_copy_json_auto_then_unload_round_trip(db, lake):
    conn, name = db
    bucket, s3, role = lake
    t, back = name("copied"), name("unloaded")
    prefix = f"conformance/{t}"
    records = [{"id": 1, "name": "ann", "at": "2024-01-02 03:04:05"}, {"id": 2, "name": "bob", "at": None}]
    s3.put_object(Bucket=bucket, Key=f"{prefix}/in/part-0.json",
                  Body="".join(json.dumps(r) + "\n" for r in records).encode())
    run(conn, f"CREATE TABLE {t} (id INT, name VARCHAR(16), at TIMESTAMP)",
        f"CREATE TABLE {back} (id INT, name VARCHAR(16), at TIMESTAMP)")
    conn.commit()
    run(conn, f"COPY {t} FROM 's3://{bucket}/{prefix}/in/' {role} FORMAT AS JSON 'auto'")
    conn.commit()
    assert [(r[0], r[1], str(r[2]) if r[2] else None) for r in rows(conn, f"SELECT * FROM {t} ORDER BY id")] == \
        [(1, "ann", "2024-01-02 03:04:05"), (2, "bob", None)]
    run(conn, f"UNLOAD ('SELECT * FROM {t} ORDER BY id') TO 's3://{bucket}/{prefix}/out/' {role} "
              "FORMAT AS CSV PARALLEL OFF ALLOWOVERWRITE")
    run(conn, f"COPY {back} FROM 's3://{bucket}/{prefix}/out/' {role} FORMAT AS CSV")
    conn.commit()
    assert rows(conn, f"SELECT * FROM {back} ORDER BY id") == rows(conn, f"SELECT * FROM {t} ORDER BY id")


def test_copy_bad_record_fails_whole_and_is_logged(db, lake):
    conn, name = db
    bucket, s3, role = lake
    t = name("strict")
    key = f"conformance/{t}/bad.csv"
    s3.put_object(Bucket=bucket, Key=key, Body=b"1,a\nnot-a-number,b\n3,c\n")
    run(conn, f"CREATE TABLE {t} (id INT, v VARCHAR(4))")
    conn.commit()
    with pytest.raises(Exception) as failed:
        run(conn, f"COPY {t} FROM 's3://{bucket}/{key}' {role} CSV")
    assert "stl_load_errors" in str(failed.value)
    conn.rollback()
    assert rows(conn, f"SELECT COUNT(*) FROM {t}") == [(0,)]           # all or nothing
    logged = rows(conn, "SELECT line_number, trim(colname) FROM stl_load_errors "
                        "WHERE trim(filename) LIKE %s ORDER BY starttime DESC LIMIT 1", (f"%{key}",))
    assert logged == [(2, "id")]


def test_dwhkit_errors_are_one_hierarchy(db):
    conn, _ = db
    if conn.target.describe().startswith("redshift"):
        pytest.skip("statements pass verbatim to Redshift, which checks COPY itself")
    with pytest.raises(DwhError):
        run(conn, "COPY t FROM 's3://b/k' IAM_ROLE default TIMEFORMT 'auto'")
