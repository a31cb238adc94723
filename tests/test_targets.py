"""The adapter boundary: translating targets vs Redshift's verbatim pass-through; DB-API surface."""
from __future__ import annotations

import subprocess
import sys

import psycopg2
import pytest

import dwhkit
from dwhkit.connection import statement_kind
from dwhkit.targets import get_target
from dwhkit.targets.redshift import RedshiftTarget


class _VerbatimTarget(RedshiftTarget):
    """A Redshift target whose wire is a Postgres test database: shows what is sent, untouched."""

    def __init__(self, dsn):
        super().__init__(dsn["host"], dsn["port"], dsn["dbname"], dsn["user"], dsn["password"])
        self._dsn = dsn

    def connect_raw(self):
        return psycopg2.connect(**self._dsn)


def test_redshift_target_sends_statements_verbatim(pg_dsn):
    conn = _VerbatimTarget(pg_dsn).connect()
    cur = conn.cursor()
    cur.execute("SELECT 1 + %s", (1,))
    assert cur.fetchone() == (2,)
    # GETDATE() is Redshift-only: it reaches the server as written (and Postgres rejects it)
    with pytest.raises(psycopg2.errors.UndefinedFunction):
        cur.execute("SELECT GETDATE()")
    conn.rollback()
    conn.close()


def test_postgres_target_translates_and_binds_parameters(dwh_config):
    conn = dwhkit.connect(dwh_config)
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (id INT IDENTITY(1,1), name VARCHAR(MAX)) DISTSTYLE ALL")
    cur.execute("INSERT INTO t (name) VALUES (%s)", ("it's; DROP TABLE t; --",))
    cur.executemany("INSERT INTO t (name) VALUES (%s)", [("b",), ("c",)])
    cur.execute("SELECT TOP 1 NVL(name, 'x'), LEN(name) FROM t WHERE name = %(n)s", {"n": "it's; DROP TABLE t; --"})
    assert cur.fetchone() == ("it's; DROP TABLE t; --", 22)
    cur.execute("SELECT COUNT(*) FROM t")
    assert cur.fetchone() == (3,) and cur.rowcount == 1
    assert [d[0] for d in cur.description] == ["count"]
    conn.commit()
    conn.close()


def test_connection_context_manager_commits_or_rolls_back(dwh_config):
    conn = dwhkit.connect(dwh_config)
    with conn:
        conn.cursor().execute("CREATE TABLE u (a INT)")
    with pytest.raises(ZeroDivisionError), conn:
        conn.cursor().execute("INSERT INTO u VALUES (1)")
        1 / 0
    cur = conn.cursor()
    cur.execute("SELECT COUNT(*) FROM u")
    assert cur.fetchone() == (0,)
    conn.close()


def test_sqlalchemy_engine_for_the_same_target(dwh_config):
    import sqlalchemy

    engine = dwhkit.create_engine(dwh_config)
    with engine.connect() as c:
        assert c.execute(sqlalchemy.text("SELECT current_database()")).scalar() == dwh_config.cluster.db_name
    engine.dispose()


@pytest.mark.parametrize("sql, kind", [
    ("copy t from 's3://b/k' iam_role default", "copy"),
    ("  -- a comment\n/* another */ UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default", "unload"),
    ("SELECT 'COPY'", "sql"),
    ("WITH x AS (SELECT 1) SELECT * FROM x", "sql"),
])
def test_statement_kind(sql, kind):
    assert statement_kind(sql) == kind


def test_get_target_reads_type(dwh_config):
    assert get_target(dwh_config).translates
    redshift = get_target(dwh_config.with_overrides(target_type="redshift"))
    assert not redshift.translates and "planted" not in repr(redshift)
    assert "***" in redshift.url(with_password=False)


def test_dwh_check_and_translate_commands(tmp_path):
    good = tmp_path / "good.sql"
    good.write_text("CREATE TABLE t (a INT SORTKEY DISTKEY, b VARCHAR(MAX)) DISTSTYLE KEY;\n"
                    "SELECT DATEDIFF(day, GETDATE(), SYSDATE) FROM t;\n"
                    "COPY t FROM 's3://b/k' IAM_ROLE default JSON 'auto';\n")
    bad = tmp_path / "bad.sql"
    bad.write_text("SELECT 1;\nSELEC oops FROM;\n")
    run = lambda *a: subprocess.run([sys.executable, "-m", "dwhkit.cli", *a], capture_output=True, text=True)
    ok = run("check", str(good))
    assert ok.returncode == 0 and "ok" in ok.stdout
    failed = run("check", str(bad))
    assert failed.returncode == 1 and "2" in failed.stdout
    translated = run("translate", str(good))
    assert translated.returncode == 0
    assert "GENERATED" not in translated.stdout and "SORTKEY" not in translated.stdout.split("-- emulated")[0]
    assert "-- emulated by dwhkit" in translated.stdout and "COPY t FROM" in translated.stdout


def test_dwh_check_reads_a_classic_sql_queries_module(tmp_path):
    from .conftest import ROOT

    module = tmp_path / "sql_queries.py"
    module.write_text('songs_create = "CREATE TABLE songs (id VARCHAR SORTKEY, t VARCHAR(MAX)) DISTSTYLE ALL"\n'
                      'bad_insert = "INSERT INTO songs SELEC id FROM x"\n'
                      'create_table_queries = [songs_create]\nnot_sql = "hello"\n')
    run = lambda f: subprocess.run([sys.executable, "-m", "dwhkit.cli", "check", str(f)],
                                   capture_output=True, text=True, cwd=ROOT)
    out = run(module)
    assert out.returncode == 1 and out.stdout.startswith("bad_insert: statement 1")
    assert "1 problem(s)" in out.stdout
    assert run(ROOT / "sql_queries.py").returncode == 0
