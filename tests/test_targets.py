"""The adapter boundary: translating targets vs Redshift's verbatim pass-through; DB-API surface;
the session catalog the translator reads; the Redshift target's own connect code."""
from __future__ import annotations

import subprocess
import sys
import traceback

import psycopg2
import pytest

import dwhkit
from dwhkit.compat.split import first_keyword
from dwhkit.errors import TargetConnectError
from dwhkit.targets import get_target
from dwhkit.targets.redshift import DEFAULT_SSLMODE, RedshiftTarget


def _redshift(dsn, **kw) -> RedshiftTarget:
    """The Redshift target's real code path, pointed at the test session's Postgres."""
    return RedshiftTarget(dsn["host"], dsn["port"], dsn["dbname"], dsn["user"], dsn["password"], **kw)


@pytest.mark.parametrize("sslmode", ["disable", "prefer"])
def test_redshift_target_connects_with_psycopg2_and_sends_statements_verbatim(pg_dsn, sslmode):
    conn = _redshift(pg_dsn, sslmode=sslmode, driver="psycopg2").connect()
    cur = conn.cursor()
    cur.execute("SELECT 1 + %s", (1,))
    assert cur.fetchone() == (2,)
    # GETDATE() is Redshift-only: it reaches the server as written and Postgres's own error comes
    # back (a translation would have made it work)
    with pytest.raises(psycopg2.errors.UndefinedFunction, match="getdate"):
        cur.execute("SELECT GETDATE()")
    conn.rollback()
    conn.close()


def test_redshift_target_puts_the_warehouse_schema_on_the_search_path(pg_dsn):
    conn = _redshift(pg_dsn, sslmode="disable", driver="psycopg2", schema="Energy").connect()
    cur = conn.cursor()
    cur.execute("SHOW search_path")
    assert cur.fetchone() == ("energy",)  # folded, as Redshift folds identifiers
    conn.close()


def test_the_search_path_survives_a_rollback_of_the_first_transaction(pg_dsn):
    """The SET that puts the warehouse schema first is committed on connect: a caller's rollback
    of its own first transaction must not take the schema off the path."""
    conn = _redshift(pg_dsn, sslmode="disable", driver="psycopg2", schema="Energy").connect()
    cur = conn.cursor()
    cur.execute("SELECT 1")
    conn.rollback()
    cur.execute("SHOW search_path")
    assert cur.fetchone() == ("energy",)
    conn.close()


def _cluster_config(dwh_config, pg_dsn, target_type, sslmode):
    from dwhkit.config import ClusterConfig, Secret

    cluster = ClusterConfig(host=pg_dsn["host"], port=pg_dsn["port"], db_name=pg_dsn["dbname"],
                            db_user=pg_dsn["user"], db_password=Secret(pg_dsn["password"]), sslmode=sslmode)
    return dwh_config.with_overrides(target_type=target_type, cluster=cluster)


def test_cluster_sslmode_from_the_config_reaches_the_driver(dwh_config, pg_dsn, pg_conn):
    """[CLUSTER] sslmode: "disable" lets the Redshift target's real code reach a server without SSL
    (its default, require, refuses it); on a Postgres target "require" is refused by that server."""
    with pg_conn.cursor() as cur:
        cur.execute("SHOW ssl")
        server_has_ssl = cur.fetchone()[0] == "on"
    redshift = get_target(_cluster_config(dwh_config, pg_dsn, "redshift", "disable"))
    assert redshift.url(with_password=False).endswith("?sslmode=disable")
    redshift.driver = "psycopg2"  # redshift_connector's SCRAM client rejects this server's mechanism
    conn = redshift.connect()
    cur = conn.cursor()
    cur.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    assert cur.fetchone() == (False,)
    conn.close()
    postgres = get_target(_cluster_config(dwh_config, pg_dsn, "postgres", "require"))
    assert postgres.url(with_password=False).endswith("?sslmode=require")
    if not server_has_ssl:
        with pytest.raises(TargetConnectError, match="SSL"):
            postgres.connect()


def test_redshift_target_requires_ssl_by_default(pg_dsn, pg_conn):
    """AMBIG: dwhkit asks for SSL unless told otherwise, as Redshift clusters expect
    (https://docs.aws.amazon.com/redshift/latest/mgmt/connecting-ssl-support.html); the local
    test server has no certificate, so "require" must fail — and say so without the password."""
    with pg_conn.cursor() as cur:
        cur.execute("SHOW ssl")
        if cur.fetchone()[0] == "on":
            pytest.skip("this test server accepts SSL")
    assert DEFAULT_SSLMODE == "require"
    target = _redshift(pg_dsn, driver="psycopg2")
    with pytest.raises(TargetConnectError, match="SSL") as err:
        target.connect()
    assert pg_dsn["password"] not in "".join(traceback.format_exception(err.value))


def test_redshift_connector_path_reaches_the_server_and_keeps_the_password_out(pg_dsn):
    """redshift_connector cannot log in to a stock Postgres (it sends Redshift-only startup
    parameters, and its SCRAM exchange lists an empty mechanism name), so its connect code is
    exercised up to the server's answer: the failure is a TargetConnectError naming the target,
    and the password appears nowhere in it — not in the message, not in the traceback."""
    target = _redshift(pg_dsn, sslmode="disable")
    assert target.create_engine  # the default driver is redshift_connector when installed
    with pytest.raises(TargetConnectError) as err:
        target.connect()
    text = "".join(traceback.format_exception(err.value))
    assert f"cannot connect to redshift {pg_dsn['user']}@{pg_dsn['host']}:{pg_dsn['port']}" in str(err.value)
    assert pg_dsn["password"] not in text
    assert err.value.__context__ is None  # the driver's half-open connection is not kept alive


def test_wrong_password_never_shows_in_the_error(pg_dsn):
    planted = "planted-Secret-123"
    for driver in ("psycopg2", "redshift_connector"):
        target = RedshiftTarget(pg_dsn["host"], pg_dsn["port"], pg_dsn["dbname"], pg_dsn["user"], planted,
                                sslmode="disable", driver=driver)
        with pytest.raises(TargetConnectError) as err:
            target.connect()
        assert planted not in "".join(traceback.format_exception(err.value))
        assert planted not in repr(target) and planted not in target.url(with_password=False)


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


@pytest.mark.parametrize("sql, keyword", [
    ("copy t from 's3://b/k' iam_role default", "COPY"),
    ("  -- a comment\n/* another */ UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default", "UNLOAD"),
    ("SELECT 'COPY'", "SELECT"),
    ("WITH x AS (SELECT 1) SELECT * FROM x", "WITH"),
    ("(SELECT 1) UNION (SELECT 2)", "SELECT"),
])
def test_one_statement_classifier(sql, keyword):
    assert first_keyword(sql) == keyword


def test_get_target_reads_type(dwh_config):
    postgres = get_target(dwh_config)
    assert postgres.emulates_copy and not postgres.manages_server
    redshift = get_target(dwh_config.with_overrides(target_type="redshift"))
    assert not redshift.emulates_copy and "planted" not in repr(redshift)
    assert "***" in redshift.url(with_password=False)
    assert redshift.native_sql("SELECT GETDATE()") == ["SELECT GETDATE()"]
    assert postgres.native_sql("SELECT GETDATE()") != ["SELECT GETDATE()"]


def test_get_target_takes_the_schema_from_its_caller(dwh_config):
    conn = get_target(dwh_config, schema="criteo").connect()
    cur = conn.cursor()
    cur.execute("SELECT current_schemas(false)")
    # the schema does not exist yet, so only the system schema is on the effective path
    assert cur.fetchone() == (["dwhkit_system"],)
    cur.execute("SELECT current_setting('search_path')")
    assert cur.fetchone()[0].startswith('"criteo"')
    conn.close()


# -- the session catalog (dwhkit.compat.catalog.Catalog) -------------------------------------------
def test_catalog_reads_columns_caches_them_and_forgets_them_after_ddl(dwh_config):
    conn = dwhkit.connect(dwh_config)
    cur = conn.cursor()
    catalog = conn.catalog
    assert catalog.columns("t") is None
    cur.execute("CREATE TABLE t (id BIGINT, amount NUMERIC(18, 2), name VARCHAR(30), at TIMESTAMP)")
    assert catalog.columns("T") == {"id": "bigint", "amount": "numeric(18,2)", "name": "character varying(30)",
                                    "at": "timestamp without time zone"}
    reads = catalog.reads
    assert list(catalog.columns("t")) == ["id", "amount", "name", "at"] and catalog.reads == reads  # cached
    cur.execute("ALTER TABLE t ADD COLUMN flag BOOLEAN")
    assert "flag" in catalog.columns("t") and catalog.reads == reads + 1
    conn.rollback()  # the table was never committed: after the rollback it is gone
    assert catalog.columns("t") is None
    assert catalog.columns("pg_class", schema="pg_catalog")["relname"] == "name"
    conn.close()


def test_catalog_lists_a_schemas_tables(dwh_config):
    conn = dwhkit.connect(dwh_config)
    conn.cursor().execute("CREATE TABLE a (x INT); CREATE TABLE b (y INT)")
    assert {"a", "b"} <= conn.catalog.tables("public")
    assert conn.catalog.tables("nowhere") == set()
    conn.close()


def test_the_redshift_catalog_reads_information_schema(pg_dsn):
    """On Redshift the catalog asks information_schema (which Redshift has), never pg_catalog
    functions Redshift lacks (to_regclass); run here through the Redshift target's own code."""
    conn = _redshift(pg_dsn, sslmode="disable", driver="psycopg2").connect()
    conn.cursor().execute("CREATE TABLE t (id BIGINT, name VARCHAR(30))")
    assert "t" in conn.catalog.tables("public")
    assert conn.catalog.columns("T") == {"id": "bigint", "name": "character varying"}
    assert conn.catalog.columns("missing") is None
    conn.rollback()
    assert conn.catalog.columns("t") is None  # forgotten with the rolled-back transaction
    conn.close()


def test_the_translator_is_handed_the_sessions_catalog(dwh_config, monkeypatch):
    from dwhkit.targets import postgres_executor

    seen = []
    real = postgres_executor.to_postgres

    def spy(sql, catalog=None, store=None):
        seen.append(catalog)
        return real(sql, catalog=catalog, store=store)

    monkeypatch.setattr(postgres_executor, "to_postgres", spy)
    conn = dwhkit.connect(dwh_config)
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (a INT)")
    cur.executemany("INSERT INTO t VALUES (%s)", [(1,), (2,)])
    assert seen == [conn.catalog, conn.catalog]
    assert seen[0].columns("t") == {"a": "integer"}
    conn.close()


def test_the_run_lock_is_exclusive(dwh_config):
    from dwhkit.errors import PipelineError

    target = get_target(dwh_config)
    with target.run_lock("dwhkit test lock"):
        with pytest.raises(PipelineError, match="another ETL run"):
            with target.run_lock("dwhkit test lock", wait=False):
                pass
        with target.run_lock("another key", wait=False):
            pass
    with target.run_lock("dwhkit test lock", wait=False):  # released when the block ended
        pass


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


def test_a_session_lost_before_a_copy_says_so(dwh_config, pg_conn, tmp_path):
    """The server ends the session (restart, pg_terminate_backend): the COPY fails with a
    CopyError saying the connection was lost and nothing was loaded, not a bare driver error."""
    from dwhkit.errors import CopyError

    (tmp_path / "rows.csv").write_text("1\n2\n")
    conn = dwhkit.connect(dwh_config)
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (a INT)")
    conn.commit()
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    with pg_conn.cursor() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(CopyError, match="the database connection was lost during the COPY") as err:
        cur.execute(f"COPY t FROM '{(tmp_path / 'rows.csv').as_uri()}' IAM_ROLE default CSV")
    assert "nothing was loaded" in str(err.value)
    with pg_conn.cursor() as check:
        check.execute("SELECT COUNT(*) FROM t")
        assert check.fetchone() == (0,)
