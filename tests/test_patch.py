"""dwhkit.patch(): psycopg2, redshift_connector and SQLAlchemy connections to Redshift hosts become
dwhkit connections on the configured target (here the test session's real Postgres); other hosts
reach the real driver. Every test talks to a real server through the real drivers' modules."""
from __future__ import annotations

import io
import logging
import sys

import psycopg2
import psycopg2.extras
import psycopg2.sql
import pytest

import dwhkit
from dwhkit.patching.psycopg2_facade import Psycopg2Connection

CLUSTER = "sparkify.c1abcdefgh.us-west-2.redshift.amazonaws.com"
SERVERLESS = "wg.123456789012.eu-west-1.redshift-serverless.amazonaws.com"
SECRET = "Passw0rd-never-logged-7f3a"


def cluster_dsn(host=CLUSTER):
    return f"host={host} dbname=dev user=awsuser password={SECRET} port=5439"


# ---- psycopg2 ----------------------------------------------------------------------------------
def test_psycopg2_connect_to_a_cluster_runs_redshift_sql_locally(dwh_config):
    with dwhkit.patch(dwh_config):
        conn = psycopg2.connect(cluster_dsn())
        assert isinstance(conn, Psycopg2Connection)
        cur = conn.cursor()
        # Redshift-only DDL (ENCODE, DISTSTYLE, VARCHAR(MAX)) is translated by dwhkit
        cur.execute("CREATE TABLE t (a INT ENCODE az64, b VARCHAR(MAX)) DISTSTYLE ALL")
        cur.execute("INSERT INTO t VALUES (%s, %s), (%(n)s, 'two')".replace("%(n)s", "%s"), (1, "one", 2))
        cur.execute("SELECT a, b FROM t WHERE b LIKE 'o%%' AND a = %(a)s", {"a": 1})
        assert cur.fetchall() == [(1, "one")]
        conn.commit()
        conn.close()
        assert conn.closed


def test_keyword_arguments_and_serverless_hosts_are_routed(dwh_config):
    with dwhkit.patch(dwh_config):
        conn = psycopg2.connect(host=SERVERLESS, dbname="dev", user="u", password=SECRET, port=5439)
        assert isinstance(conn, Psycopg2Connection)
        with conn.cursor() as cur:
            cur.execute("SELECT GETDATE() IS NOT NULL")
            assert cur.fetchone() == (True,)
        conn.close()


def test_other_hosts_reach_the_real_driver(dwh_config, pg_dsn):
    with dwhkit.patch(dwh_config):
        conn = psycopg2.connect(**pg_dsn)
        try:
            assert type(conn) is psycopg2.extensions.connection
            with conn.cursor() as cur:
                cur.execute("SELECT current_database()")
                assert cur.fetchone() == (pg_dsn["dbname"],)
        finally:
            conn.close()


def test_a_url_dsn_is_routed_too(dwh_config):
    with dwhkit.patch(dwh_config):
        conn = psycopg2.connect(f"postgresql://awsuser:{SECRET}@{CLUSTER}:5439/dev?sslmode=require")
        assert isinstance(conn, Psycopg2Connection)
        conn.close()


def test_pghost_in_the_environment_is_routed(dwh_config, monkeypatch):
    monkeypatch.setenv("PGHOST", CLUSTER)
    with dwhkit.patch(dwh_config):
        conn = psycopg2.connect("dbname=dev user=awsuser")
        assert isinstance(conn, Psycopg2Connection)
        conn.close()


def test_patch_hosts_are_read_from_the_config_file(tmp_path):
    from dwhkit.config import load_config

    cfg = tmp_path / "dwh.cfg"
    cfg.write_text("[PATCH]\nhosts = dwh.corp.example, *.tunnel.example\n")
    assert load_config(cfg, env={}).patch_hosts == ("dwh.corp.example", "*.tunnel.example")
    assert load_config(cfg, env={"DWH_PATCH_HOSTS": "a.example"}).patch_hosts == ("a.example",)


@pytest.mark.parametrize("host, extra, routed", [
    (CLUSTER, (), True), (SERVERLESS, (), True), (CLUSTER.upper() + ".", (), True),
    ("examplecluster.abc.cn-north-1.redshift.amazonaws.com.cn", (), True),
    ("redshift.amazonaws.com.evil.example", (), False), ("127.0.0.1", (), False), ("", (), False),
    ("db.corp.example", ("DB.corp.example",), True), ("x.tunnel.example", ("*.tunnel.example",), True),
])
def test_which_hosts_are_redshift(host, extra, routed):
    from dwhkit.patching.hosts import is_redshift_host

    assert is_redshift_host(host, extra) is routed


def test_the_patch_ends_with_the_block(dwh_config):
    before = psycopg2.connect
    with dwhkit.patch(dwh_config):
        assert psycopg2.connect is not before
    assert psycopg2.connect is before


def test_nested_patches_unwind_in_order(dwh_config):
    from dwhkit.patching.entrypoints import real_function

    before = psycopg2.connect
    with dwhkit.patch(dwh_config):
        outer = psycopg2.connect
        with dwhkit.patch(dwh_config.with_overrides(patch_hosts=("inner.example",))):
            assert real_function(psycopg2.connect) is before
            conn = psycopg2.connect(cluster_dsn("inner.example"))
            assert isinstance(conn, Psycopg2Connection)
            conn.close()
        assert psycopg2.connect is outer
    assert psycopg2.connect is before


def test_patch_hosts_from_the_config(dwh_config):
    config = dwh_config.with_overrides(patch_hosts=("*.dwh.example.com",))
    with dwhkit.patch(config):
        conn = psycopg2.connect(cluster_dsn("warehouse.dwh.example.com"))
        assert isinstance(conn, Psycopg2Connection)
        conn.close()


def test_targets_patch_names_bound_by_from_import(dwh_config, tmp_path, monkeypatch):
    (tmp_path / "legacy_etl.py").write_text(
        "from psycopg2 import connect\n\n"
        "def count(dsn):\n"
        "    conn = connect(dsn)\n"
        "    cur = conn.cursor()\n"
        "    cur.execute('SELECT COUNT(*) FROM (SELECT 1 UNION ALL SELECT 2) x')\n"
        "    return type(conn).__name__, cur.fetchone()[0]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import legacy_etl

    with dwhkit.patch(dwh_config, targets=["legacy_etl.connect"]):
        assert legacy_etl.count(cluster_dsn()) == ("Psycopg2Connection", 2)
    assert legacy_etl.connect is psycopg2.connect
    with pytest.raises(ValueError, match="not psycopg2.connect"):
        with dwhkit.patch(dwh_config, targets=["legacy_etl.count"]):
            pass
    sys.modules.pop("legacy_etl", None)


def test_copy_expert_from_stdin_and_to_stdout(dwh_config):
    with dwhkit.patch(dwh_config):
        conn = psycopg2.connect(cluster_dsn())
        cur = conn.cursor()
        cur.execute("CREATE TABLE songs (id INT, title VARCHAR(50))")
        cur.copy_expert("COPY songs FROM STDIN WITH (FORMAT csv, HEADER true)",
                        io.StringIO("id,title\n1,Yellow\n2,\"Fix, You\"\n"))
        assert cur.rowcount == 2
        out = io.StringIO()
        cur.copy_expert("COPY (SELECT title FROM songs ORDER BY id) TO STDOUT", out)
        assert out.getvalue() == "Yellow\nFix, You\n"
        cur.copy_from(io.StringIO("3\tClocks\n"), "songs")
        cur.execute("SELECT COUNT(*) FROM songs")
        assert cur.fetchone() == (3,)
        with pytest.raises(psycopg2.NotSupportedError, match=r"copy_expert\(\)"):
            cur.copy_expert("COPY songs FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::1:role/r'", io.StringIO())
        conn.close()


def test_mogrify_execute_values_and_sql_objects(dwh_config):
    with dwhkit.patch(dwh_config):
        conn = psycopg2.connect(cluster_dsn())
        cur = conn.cursor()
        cur.execute("CREATE TABLE users (user_id INT, name VARCHAR(20))")
        assert cur.mogrify("SELECT %s, %s", (1, "o'k")) == b"SELECT 1, 'o''k'"
        psycopg2.extras.execute_values(cur, "INSERT INTO users VALUES %s", [(1, "a"), (2, "b"), (3, "c")])
        psycopg2.extras.execute_batch(cur, "INSERT INTO users VALUES (%s, %s)", [(4, "d"), (5, "e")])
        cur.executemany("INSERT INTO users VALUES (%s, %s)", [(6, "f")])
        query = psycopg2.sql.SQL("SELECT COUNT(*) FROM {}").format(psycopg2.sql.Identifier("users"))
        cur.execute(query)
        assert cur.fetchone() == (6,)
        conn.close()


def test_cursor_factories(dwh_config):
    with dwhkit.patch(dwh_config):
        conn = psycopg2.connect(cluster_dsn(), cursor_factory=psycopg2.extras.RealDictCursor)
        cur = conn.cursor()
        cur.execute("SELECT 1 AS a, 'x' AS b")
        assert cur.fetchone() == {"a": 1, "b": "x"}
        cur = conn.cursor(cursor_factory=psycopg2.extras.DictCursor)
        cur.execute("SELECT 1 AS a, 'x' AS b")
        row = cur.fetchone()
        assert (row[0], row["b"]) == (1, "x")
        cur = conn.cursor(cursor_factory=psycopg2.extras.NamedTupleCursor)
        cur.execute("SELECT 1 AS a")
        assert cur.fetchall()[0].a == 1
        with pytest.raises(psycopg2.NotSupportedError, match="cursor_factory=LoggingCursor"):
            conn.cursor(cursor_factory=psycopg2.extras.LoggingCursor)
        conn.close()


def test_failures_arrive_as_psycopg2_errors(dwh_config, s3, bucket):
    """A failed COPY is Redshift's XX000, InternalError in psycopg2; a classic `except psycopg2.Error`
    catches it, and the connection can roll back and carry on."""
    s3.put_object(Bucket=bucket, Key="bad/part-0.csv", Body=b"1,x\nnot-a-number,y\n")
    with dwhkit.patch(dwh_config):
        conn = psycopg2.connect(cluster_dsn())
        cur = conn.cursor()
        cur.execute("CREATE TABLE n (a INT, b VARCHAR(5))")
        conn.commit()
        with pytest.raises(psycopg2.InternalError, match="Load into table 'n' failed"):
            cur.execute(f"COPY n FROM 's3://{bucket}/bad/' IAM_ROLE 'arn:aws:iam::1:role/r' CSV")
        conn.rollback()
        with pytest.raises(psycopg2.errors.UndefinedTable):
            cur.execute("SELECT * FROM no_such_table")
        conn.rollback()
        cur.execute("SELECT COUNT(*) FROM n")
        assert cur.fetchone() == (0,)
        conn.close()


def test_refused_calls_name_themselves(dwh_config):
    with dwhkit.patch(dwh_config):
        conn = psycopg2.connect(cluster_dsn())
        cur = conn.cursor()
        with pytest.raises(psycopg2.NotSupportedError, match=r"psycopg2 cursor.callproc\(\) is not supported"):
            cur.callproc("sp_load")
        with pytest.raises(psycopg2.NotSupportedError, match=r"connection.lobject\(\)"):
            conn.lobject()
        with pytest.raises(AttributeError, match="cursor.no_such_thing"):
            cur.no_such_thing
        conn.close()
        with pytest.raises(psycopg2.NotSupportedError, match=r"connect\(async_=True\)"):
            psycopg2.connect(cluster_dsn(), async_=True)
        with pytest.raises(psycopg2.NotSupportedError, match=r"connect\(connection_factory=…\)"):
            psycopg2.connect(cluster_dsn(), connection_factory=psycopg2.extensions.connection)


def test_the_scripts_password_never_reaches_the_log(dwh_config, caplog):
    caplog.set_level(logging.DEBUG)
    with dwhkit.patch(dwh_config):
        conn = psycopg2.connect(cluster_dsn())
        conn.close()
        bad = dwh_config.with_overrides(target_type="postgres", cluster=dwh_config.cluster.__class__(
            host="127.0.0.1", port=1, db_name="x", db_user="y"))
    with dwhkit.patch(bad):
        with pytest.raises(psycopg2.OperationalError) as err:
            psycopg2.connect(cluster_dsn())
    assert "routed to" in caplog.text and CLUSTER in caplog.text
    assert SECRET not in caplog.text and SECRET not in str(err.value) and SECRET not in repr(err.value)


def test_a_redshift_target_is_refused(dwh_config):
    config = dwh_config.with_overrides(target_type="redshift")
    with dwhkit.patch(config):
        with pytest.raises(psycopg2.OperationalError, match="routes Redshift connections to a local target"):
            psycopg2.connect(cluster_dsn())


# ---- redshift_connector ------------------------------------------------------------------------
import redshift_connector


def rc_connect(**extra):
    return redshift_connector.connect(host=CLUSTER, database="dev", user="awsuser", password=SECRET,
                                      port=5439, **extra)


def test_redshift_connector_rows_and_paramstyles(dwh_config):
    from dwhkit.patching.redshift_connector_facade import RedshiftConnectorConnection

    with dwhkit.patch(dwh_config):
        conn = rc_connect()
        assert isinstance(conn, RedshiftConnectorConnection)
        cur = conn.cursor()
        assert cur.paramstyle == "format"
        assert cur.execute("CREATE TABLE p (a INT, b VARCHAR(10))") is cur
        cur.execute("INSERT INTO p VALUES (%s, %s)", (1, "50%"))
        cur.paramstyle = "qmark"
        cur.execute("INSERT INTO p VALUES (?, ?)", (2, "x"))
        cur.paramstyle = "numeric"
        cur.execute("INSERT INTO p VALUES (:2, :1)", ("y", 3))
        cur.paramstyle = "named"
        cur.execute("INSERT INTO p VALUES (:a, :b::varchar)", {"a": 4, "b": "z"})
        cur.paramstyle = "pyformat"
        cur.execute("INSERT INTO p VALUES (%(a)s, %(b)s)", {"a": 5, "b": "w"})
        cur.paramstyle = "qmark"
        cur.execute("SELECT a, b FROM p WHERE b LIKE '%' AND a >= ? ORDER BY a", (1,))
        assert cur.fetchone() == [1, "50%"]            # rows are lists, as redshift_connector's
        assert cur.fetchall() == ([2, "x"], [3, "y"], [4, "z"], [5, "w"])
        cur.executemany("INSERT INTO p VALUES (?, ?)", [(6, "a"), (7, "b")])
        assert cur.rowcount == 2
        conn.commit()
        conn.close()


def test_redshift_connector_dataframes(dwh_config):
    import pandas
    with dwhkit.patch(dwh_config):
        conn = rc_connect()
        cur = conn.cursor()
        cur.execute("CREATE TABLE listing (listid INT, price DECIMAL(8,2), sellerName VARCHAR(20))")
        cur.write_dataframe(pandas.DataFrame({"listid": [1, 2], "price": [9.5, 20.0], "s": ["ann", "bo"]}),
                            "listing")
        cur.execute("SELECT listid, price, sellerName FROM listing ORDER BY listid")
        df = cur.fetch_dataframe()
        assert list(df.columns) == ["listid", "price", "sellername"]
        assert df["listid"].tolist() == [1, 2] and float(df["price"].sum()) == 29.5
        cur.execute("SELECT listid FROM listing ORDER BY listid")
        arr = cur.fetch_numpy_array()
        assert arr.shape == (2, 1) and arr[1, 0] == 2
        with pytest.raises(redshift_connector.InterfaceError, match="Invalid table name"):
            cur.write_dataframe(pandas.DataFrame({"a": [1]}), "no_such_table")
        with pytest.raises(redshift_connector.InterfaceError, match="insert the pandas.DataFrame"):
            cur.write_dataframe(pandas.DataFrame({"a": ["not a number"], "b": [1], "c": ["x"]}), "listing")
        conn.rollback()
        conn.close()


def test_redshift_connector_errors_and_refusals(dwh_config):
    with dwhkit.patch(dwh_config):
        conn = rc_connect()
        cur = conn.cursor()
        with pytest.raises(redshift_connector.ProgrammingError) as err:
            cur.execute("SELECT * FROM missing_table")
        assert err.value.args[0]["C"] == "42P01" and "missing_table" in err.value.args[0]["M"]
        conn.rollback()
        with pytest.raises(redshift_connector.NotSupportedError, match=r"cursor.get_tables\(\)"):
            cur.get_tables()
        with pytest.raises(redshift_connector.NotSupportedError, match=r"connection.run\(\)"):
            conn.run("SELECT 1")
        cur.execute("CREATE TEMP TABLE s (a INT)")
        cur.execute("COPY s FROM STDIN", stream=io.BytesIO(b"1\n2\n"))
        cur.execute("SELECT SUM(a) FROM s")
        assert cur.fetchone() == [3]
        conn.close()


def test_redshift_connector_iam_by_cluster_identifier_is_routed(dwh_config):
    with dwhkit.patch(dwh_config):
        conn = redshift_connector.connect(iam=True, database="dev", db_user="awsuser",
                                          cluster_identifier="examplecluster", region="us-west-2",
                                          access_key_id="AKIAEXAMPLE", secret_access_key=SECRET)
        assert conn.cursor().execute("SELECT 1").fetchone() == [1]
        conn.close()


def test_redshift_connector_to_other_hosts_is_untouched(dwh_config):
    with dwhkit.patch(dwh_config):
        # the real driver tries the real host: a closed local port fails in the driver itself
        with pytest.raises(redshift_connector.InterfaceError):
            redshift_connector.connect(host="127.0.0.1", port=1, database="d", user="u", password="p", timeout=2)


# ---- SQLAlchemy --------------------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["postgresql+psycopg2", "redshift+psycopg2", "redshift+redshift_connector"])
def test_sqlalchemy_engines_for_a_cluster(dwh_config, scheme):
    import sqlalchemy
    with dwhkit.patch(dwh_config):
        engine = sqlalchemy.create_engine(f"{scheme}://awsuser:{SECRET}@{CLUSTER}:5439/dev")
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text("CREATE TABLE e (a INT ENCODE zstd) DISTSTYLE EVEN"))
            conn.execute(sqlalchemy.text("INSERT INTO e VALUES (:a)"), [{"a": 1}, {"a": 2}])
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT NVL(SUM(a), 0) FROM e")).scalar() == 3
            conn.execute(sqlalchemy.text("DROP TABLE e"))
            conn.commit()
        assert SECRET not in repr(engine.url)
        engine.dispose()


def test_sqlalchemy_engines_for_other_hosts_are_untouched(dwh_config, pg_dsn):
    import sqlalchemy
    with dwhkit.patch(dwh_config):
        d = pg_dsn
        engine = sqlalchemy.create_engine(
            f"postgresql+psycopg2://{d['user']}:{d['password']}@{d['host']}:{d['port']}/{d['dbname']}")
        with engine.connect() as conn:
            assert type(conn.connection.dbapi_connection) is psycopg2.extensions.connection
        engine.dispose()


def test_pandas_through_a_rerouted_engine_and_connection(dwh_config):
    import pandas
    import sqlalchemy
    with dwhkit.patch(dwh_config):
        engine = sqlalchemy.create_engine(f"redshift+psycopg2://awsuser:{SECRET}@{CLUSTER}:5439/dev")
        frame = pandas.DataFrame({"id": [1, 2, 3], "name": ["a", "b", None]})
        frame.to_sql("pd_events", engine, index=False, if_exists="replace")
        frame.to_sql("pd_events", engine, index=False, if_exists="append")
        back = pandas.read_sql(sqlalchemy.text("SELECT id, NVL(name, '?') AS name FROM pd_events "
                                               "WHERE id >= :lo ORDER BY id"), engine, params={"lo": 2})
        assert back.to_dict("list") == {"id": [2, 2, 3, 3], "name": ["b", "b", "?", "?"]}
        engine.dispose()
        conn = psycopg2.connect(cluster_dsn())
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pandas' note about non-SQLAlchemy connections
            assert pandas.read_sql("SELECT COUNT(*) AS n FROM pd_events", conn)["n"].tolist() == [6]
        conn.close()
