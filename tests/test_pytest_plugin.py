"""dwhkit's pytest plugin (dwhkit.testing): its pieces against a real Postgres and moto's S3 server,
and whole pytest runs of small user projects (and of examples/) in a subprocess, as a user runs them."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest

import dwhkit
from dwhkit.config import load_config
from dwhkit.errors import ConfigError, TargetConnectError
from dwhkit.testing import assert_rows, load_errors, rows_difference, run_copy
from dwhkit.testing.backends import ClusterBackend, LocalBackend, backend_for
from dwhkit.testing.isolation import RESET_SQL
from dwhkit.testing.local_s3 import S3Bucket

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "redshift-tests"


# -- comparing rows ---------------------------------------------------------------------------
def test_rows_difference_ordered_shows_a_diff():
    assert rows_difference([(1, "a"), (2, "b")], [(1, "a"), (2, "b")]) == ""
    text = rows_difference([(1, "a"), (2, "x")], [(1, "a"), (2, "b")])
    assert "order matters" in text
    assert "-(2, 'b')" in text and "+(2, 'x')" in text
    assert rows_difference([(2, "b"), (1, "a")], [(1, "a"), (2, "b")]) != ""


def test_rows_difference_unordered_counts_duplicates_and_matches_decimals():
    assert rows_difference([(2, Decimal("120.00")), (1, None)], [(1, None), (2, 120)], ordered=False) == ""
    text = rows_difference([(1,), (1,), (3,)], [(1,), (2,)], ordered=False)
    assert "missing (expected, not returned):\n    (2,)" in text
    assert "unexpected (returned, not expected):" in text and "(1,)" in text and "(3,)" in text
    # unhashable values (SUPER/JSON) still compare
    assert rows_difference([([1, 2], {"a": 1})], [([1, 2], {"a": 1})], ordered=False) == ""


# -- the helpers on a real database ----------------------------------------------------------
def test_assert_rows_and_a_failed_copy_explained(dwh_config, s3, bucket):
    s3.put_object(Bucket=bucket, Key="bad.csv", Body=b"1,ok\ntwo,bad\n3,ok\n")
    conn = dwhkit.connect(dwh_config)
    try:
        conn.cursor().execute("CREATE TABLE t (id INTEGER, name VARCHAR(10))")
        conn.commit()
        with pytest.raises(AssertionError) as failure:
            run_copy(conn, f"COPY t FROM 's3://{bucket}/bad.csv' IAM_ROLE 'arn:aws:iam::1:role/r' CSV")
        message = str(failure.value)
        assert "COPY failed" in message
        assert "bad.csv line 2, column id" in message and "value: 'two'" in message
        [row] = load_errors(conn)
        assert (row["line_number"], row["colname"], row["raw_field_value"]) == (2, "id", "two")
        s3.put_object(Bucket=bucket, Key="good.csv", Body=b"1,a\n2,b\n")
        assert run_copy(conn, f"COPY t FROM 's3://{bucket}/good.csv' IAM_ROLE 'arn:aws:iam::1:role/r' CSV") == 2
        assert_rows(conn, "SELECT id, name FROM t", [(2, "b"), (1, "a")], ordered=False)
        with pytest.raises(AssertionError, match=r"missing \(expected, not returned\):\n    \(3, 'c'\)"):
            assert_rows(conn, "SELECT id, name FROM t", [(1, "a"), (2, "b"), (3, "c")], ordered=False)
    finally:
        conn.close()


def test_reset_empties_everything_a_test_leaves(dwh_config, pg_dsn):
    conn = dwhkit.connect(dwh_config)
    cur = conn.cursor()
    cur.execute("CREATE TABLE public.t (id INT); CREATE SCHEMA staging; CREATE TABLE staging.s (id INT);"
                "CREATE VIEW public.v AS SELECT 1 AS one;"
                "INSERT INTO dwhkit_system.stl_load_errors (query, err_reason) VALUES (7, 'x');"
                "SELECT nextval('dwhkit_system.copy_query_id_seq')")
    conn.commit()
    cur.execute("INSERT INTO public.t VALUES (1)")  # left open: its lock would block a DROP
    admin = psycopg2.connect(**pg_dsn)
    admin.autocommit = True
    with admin.cursor() as a:
        a.execute(RESET_SQL)
        a.execute("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' ORDER BY 1")
        assert [r[0] for r in a.fetchall()] == ["dwhkit_system", "information_schema", "public"]
        a.execute("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
        assert a.fetchone()[0] == 0
        a.execute("SELECT count(*) FROM dwhkit_system.stl_load_errors")
        assert a.fetchone()[0] == 0
        a.execute("SELECT nextval('dwhkit_system.copy_query_id_seq')")
        assert a.fetchone()[0] == 1
        a.execute(RESET_SQL)  # nothing left to do: still fine
    admin.close()
    assert conn.raw.closed or _is_dead(conn.raw)


def _is_dead(raw) -> bool:
    try:
        raw.cursor().execute("SELECT 1")
    except psycopg2.Error:
        return True
    return False


# -- S3 ---------------------------------------------------------------------------------------
def test_put_takes_bytes_text_a_file_and_a_folder(s3, bucket, tmp_path):
    files = tmp_path / "in"
    (files / "sub").mkdir(parents=True)
    (files / "a.csv").write_text("1\n")
    (files / "sub" / "b.csv").write_bytes(b"2\n")
    store = S3Bucket(s3, bucket)
    assert store.put("raw/bytes.bin", b"\x00\x01") == ["raw/bytes.bin"]
    store.put("raw/text.txt", "é")
    store.put("raw/file.csv", files / "a.csv")
    assert store.put("tree", files) == ["tree/a.csv", "tree/sub/b.csv"]
    assert store.get("raw/text.txt") == "é".encode()
    assert store.get("tree/sub/b.csv") == b"2\n"
    assert store.keys() == ["raw/bytes.bin", "raw/file.csv", "raw/text.txt", "tree/a.csv", "tree/sub/b.csv"]
    assert store.url("tree/a.csv") == f"s3://{bucket}/tree/a.csv"
    with pytest.raises(TypeError, match="bytes, str or a pathlib.Path"):
        store.put("x", 42)


def test_a_prefixed_store_keeps_to_its_prefix(s3, bucket):
    s3.put_object(Bucket=bucket, Key="other/keep.txt", Body=b"x")
    store = S3Bucket(s3, bucket, prefix="run1/t1/")
    store.put("a.txt", "a")
    assert store.url("a.txt") == f"s3://{bucket}/run1/t1/a.txt"
    assert store.keys() == ["a.txt"]
    store.empty()
    assert store.keys() == []
    assert s3.get_object(Bucket=bucket, Key="other/keep.txt")["Body"].read() == b"x"


# -- which target a run uses ------------------------------------------------------------------
def _cfg(tmp_path, text: str) -> Path:
    path = tmp_path / "dwh.cfg"
    path.write_text(textwrap.dedent(text))
    return path


def test_no_config_means_a_throwaway_embedded_server_and_none_is_started_yet():
    backend = backend_for(None).start()
    assert isinstance(backend, LocalBackend) and not backend.is_cluster
    assert backend.config is None  # nothing started until a test asks for a database
    backend.close()


def test_a_postgres_config_runs_locally(tmp_path):
    backend = backend_for(_cfg(tmp_path, "[TARGET]\ntype = postgres\n[CLUSTER]\nhost = 127.0.0.1\n"))
    assert isinstance(backend, LocalBackend)


def test_a_redshift_config_runs_on_the_cluster_with_real_s3(tmp_path, monkeypatch, s3, bucket):
    monkeypatch.setenv("DWH_CLUSTER_DB_PASSWORD", "hunter2-secret")
    path = _cfg(tmp_path, f"""
        [TARGET]
        type = redshift
        [CLUSTER]
        host = 127.0.0.1
        port = 1
        db_user = tester
        [IAM_ROLE]
        arn = arn:aws:iam::123:role/loader
        [S3]
        lake = s3://{bucket}/tests
        """)
    backend = backend_for(path)
    assert isinstance(backend, ClusterBackend) and backend.is_cluster
    store = backend.s3()
    assert store.bucket == bucket and store.iam_role == "arn:aws:iam::123:role/loader"
    assert store.prefix.startswith("tests/dwhkit_test_") and store.url("x.csv").endswith("/x.csv")
    store.put("x.csv", "1\n")
    assert s3.list_objects_v2(Bucket=bucket)["Contents"][0]["Key"] == store.prefix + "x.csv"
    # No cluster here: connecting fails, and the message never carries the password.
    with pytest.raises(TargetConnectError) as failure:
        backend.begin()
    assert "hunter2-secret" not in str(failure.value) and "tester@127.0.0.1:1" in str(failure.value)


def test_a_cluster_run_needs_an_s3_location(tmp_path):
    path = _cfg(tmp_path, "[TARGET]\ntype = redshift\n[CLUSTER]\nhost = example.invalid\n")
    with pytest.raises(ConfigError, match=r"\[S3\] lake"):
        ClusterBackend(load_config(path))


def test_the_plugin_is_loaded_through_its_entry_point_and_its_names_do_not_clash(request):
    plugin = request.config.pluginmanager.get_plugin("dwhkit")
    assert plugin is not None and plugin.__name__ == "dwhkit.testing.plugin"
    fixtures = [name for name, value in vars(plugin).items() if hasattr(value, "_fixture_function_marker")
                or type(value).__name__ == "FixtureFunctionDefinition"]
    assert set(fixtures) == {"_dwhkit_backend", "_dwhkit_target", "redshift", "redshift_engine", "redshift_s3"}


# -- whole pytest runs, as a user runs them ---------------------------------------------------
def run_pytest(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DWH_", "PYTEST_"))}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=project,
                          capture_output=True, text=True, env=full_env, timeout=600)


def test_the_example_project_passes():
    """examples/redshift-tests, run exactly as its README says: COPY, UNLOAD, the schema file."""
    proc = run_pytest(EXAMPLE, "-q")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "10 passed" in proc.stdout


USER_TESTS = '''
import json, os
from pathlib import Path
import pytest
from dwhkit.testing import assert_rows

def record(conn, name):
    cur = conn.cursor()
    cur.execute("SELECT current_database(), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')")
    db, tables = cur.fetchone()
    out = Path(os.environ["RECORD_DIR"]) / f"{name}.json"
    out.write_text(json.dumps({"worker": os.environ.get("PYTEST_XDIST_WORKER", "main"), "db": db,
                               "tables_at_start": tables}))

@pytest.mark.parametrize("i", range(6))
def test_creates_and_commits(redshift, i):
    record(redshift, f"t{i}")
    cur = redshift.cursor()
    cur.execute("CREATE TABLE leftover (id INT) DISTSTYLE EVEN")
    cur.execute("INSERT INTO leftover VALUES (%s)", (i,))
    redshift.commit()

@pytest.mark.redshift_schema("base.sql", "more.sql")
def test_marker_schema(redshift):
    assert_rows(redshift, "SELECT name FROM base JOIN more USING (id)", [("from base",)])

def test_option_schema_only(redshift):
    cur = redshift.cursor()
    cur.execute("SELECT to_regclass('base') IS NULL, to_regclass('more') IS NULL, to_regclass('opt') IS NULL")
    assert cur.fetchone() == (True, True, OPT_ABSENT)

def test_readable_failure(redshift):
    assert_rows(redshift, "SELECT 1 UNION ALL SELECT 2", [(1,), (3,)], ordered=False)
'''


@pytest.fixture
def user_project(tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    (project / "base.sql").write_text("CREATE TABLE base (id INT, name VARCHAR(MAX)) DISTKEY(id);\n"
                                      "INSERT INTO base VALUES (1, 'from base');\n")
    (project / "more.sql").write_text("CREATE TABLE more (id INT) SORTKEY(id); INSERT INTO more VALUES (1);\n")
    (project / "opt.sql").write_text("CREATE TABLE opt (id INT);\n")
    (project / "pytest.ini").write_text("[pytest]\n")
    record = tmp_path / "record"
    record.mkdir()
    return project, record


def _records(record: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(record.glob("t*.json"))]


def test_each_test_gets_an_empty_database_schemas_apply_and_failures_read_well(user_project):
    project, record = user_project
    (project / "test_user.py").write_text(USER_TESTS.replace("OPT_ABSENT", "False"))
    proc = run_pytest(project, "-q", "--redshift-schema", "opt.sql", env={"RECORD_DIR": str(record)})
    assert "1 failed, 8 passed" in proc.stdout, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "FAILED test_user.py::test_readable_failure" in proc.stdout
    assert re.search(r"missing \(expected, not returned\):\nE\s+\(3,\)\n", proc.stdout)
    assert re.search(r"unexpected \(returned, not expected\):\nE\s+\(2,\)\n", proc.stdout)
    runs = _records(record)
    assert len(runs) == 6
    # Each started with the option's one table only: the last test's committed table is gone.
    assert {r["tables_at_start"] for r in runs} == {1}
    assert len({r["db"] for r in runs}) == 1


def test_module_scope_shares_the_database_within_a_module(user_project):
    project, record = user_project
    tests = USER_TESTS.replace("OPT_ABSENT", "True").replace(
        '"CREATE TABLE leftover', 'f"CREATE TABLE leftover{i}').replace(
        '"INSERT INTO leftover', 'f"INSERT INTO leftover{i}')
    (project / "test_user.py").write_text(tests)
    proc = run_pytest(project, "-q", "--redshift-scope", "module", "-k", "creates",
                      env={"RECORD_DIR": str(record)})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert [r["tables_at_start"] for r in _records(record)] == [0, 1, 2, 3, 4, 5]


def test_xdist_workers_never_share_a_database(user_project):
    project, record = user_project
    (project / "test_user.py").write_text(USER_TESTS.replace("OPT_ABSENT", "True"))
    proc = run_pytest(project, "-q", "-n", "2", "-k", "creates", env={"RECORD_DIR": str(record)})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    runs = _records(record)
    assert {r["worker"] for r in runs} == {"gw0", "gw1"}
    db_of = {}
    for r in runs:
        db_of.setdefault(r["worker"], set()).add(r["db"])
    assert all(len(dbs) == 1 for dbs in db_of.values())
    assert db_of["gw0"].isdisjoint(db_of["gw1"])
    assert {r["tables_at_start"] for r in runs} == {0}


def test_a_run_that_uses_no_fixture_starts_no_server(tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    (project / "test_plain.py").write_text("def test_plain():\n    assert 1 + 1 == 2\n")
    tmp = Path(tempfile.mkdtemp(prefix="dwhkit-plugin-lazy-", dir="/tmp"))
    try:
        proc = run_pytest(project, "-q", env={"TMPDIR": str(tmp)})
        assert "1 passed" in proc.stdout, proc.stdout + proc.stderr
        assert not list(tmp.glob("dwhkit-pytest-*"))
        # A test that only puts files in S3 starts S3, not Postgres.
        (project / "test_plain.py").write_text(
            "import glob, os\n"
            "def test_s3_only(redshift_s3):\n"
            "    redshift_s3.put('k', b'v')\n"
            "    assert redshift_s3.get('k') == b'v'\n"
            "    assert os.environ['AWS_ENDPOINT_URL_S3'].startswith('http://127.0.0.1:')\n"
            "    assert not glob.glob(os.path.join(os.environ['TMPDIR'], 'dwhkit-pytest-*'))\n")
        proc = run_pytest(project, "-q", env={"TMPDIR": str(tmp)})
        assert "1 passed" in proc.stdout, proc.stdout + proc.stderr
        # The same run with the fixture does start one there (so the check above can fail), and
        # removes it at the end.
        (project / "test_plain.py").write_text(
            "import glob, os\n"
            "def test_db(redshift):\n"
            "    assert glob.glob(os.path.join(os.environ['TMPDIR'], 'dwhkit-pytest-*', 'pg'))\n")
        proc = run_pytest(project, "-q", env={"TMPDIR": str(tmp)})
        assert "1 passed" in proc.stdout, proc.stdout + proc.stderr
        assert not list(tmp.glob("dwhkit-pytest-*"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_a_postgres_config_gets_its_own_database_there_dropped_afterwards(user_project, pg_server):
    """--redshift-config naming a Postgres (a CI service, say): a database of the run's own beside
    the configured one; the password comes from the environment, as for every dwhkit config."""
    project, record = user_project
    (project / "ci.cfg").write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {pg_server.host}\n"
                                    f"port = {pg_server.port}\ndb_name = {pg_server.dbname}\n"
                                    f"db_user = {pg_server.user}\n")
    (project / "pytest.ini").write_text("[pytest]\nredshift_config = ci.cfg\nredshift_schema = opt.sql\n")
    (project / "test_user.py").write_text(USER_TESTS.replace("OPT_ABSENT", "False"))
    proc = run_pytest(project, "-q", "-k", "creates or option",
                      env={"RECORD_DIR": str(record), "DWH_CLUSTER_DB_PASSWORD": pg_server.password})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    [db] = {r["db"] for r in _records(record)}
    assert db.startswith("dwhkit_check_") and {r["tables_at_start"] for r in _records(record)} == {1}
    with psycopg2.connect(**pg_server.dsn("postgres")) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (db,))
        assert cur.fetchone()[0] == 0
    conn.close()


CLUSTER_TESTS = '''
import json, os
from pathlib import Path
from dwhkit.testing import assert_rows, load_errors, run_copy

def test_copy_and_unload_on_the_cluster(redshift, redshift_s3):
    redshift_s3.put("in/a.csv", "1,a\\n2,b\\n")
    # The stand-in (dwh serve) runs COPY/UNLOAD only outside a transaction block, in a session of
    # their own that does not see this one's search_path: hence autocommit and a qualified name.
    redshift.autocommit = True
    cur = redshift.cursor()
    cur.execute("SELECT current_schema()")
    schema = cur.fetchone()[0]
    Path(os.environ["RECORD_DIR"], "cluster.json").write_text(json.dumps(
        {"schema": schema, "prefix": redshift_s3.prefix}))
    cur.execute("CREATE TABLE t (id INTEGER, name VARCHAR(10)) DISTKEY(id)")
    assert run_copy(redshift, f"COPY {schema}.t FROM '{redshift_s3.url('in/')}' "
                              f"IAM_ROLE '{redshift_s3.iam_role}' CSV") == 2
    cur.execute(f"UNLOAD ('SELECT name FROM {schema}.t') TO '{redshift_s3.url('out/t_')}' "
                f"IAM_ROLE '{redshift_s3.iam_role}' CSV")
    assert redshift_s3.keys("out/")
    assert_rows(redshift, "SELECT id, name FROM t", [(2, "b"), (1, "a")], ordered=False)

def test_schema_file_ran_and_the_last_tests_table_is_gone(redshift):
    assert_rows(redshift, "SELECT to_regclass('t') IS NULL, (SELECT count(*) FROM base)", [(True, 1)])
'''

STAND_IN_CLUSTER_CONFTEST = '''
# The "cluster" here is dwh serve (TLS with a self-signed certificate), which psycopg2 reaches with
# sslmode=require; redshift_connector would check the certificate against Amazon's CA bundle.
from dwhkit.targets.redshift import RedshiftTarget
RedshiftTarget._driver_name = lambda self: "psycopg2"
'''


def test_a_cluster_run_sends_statements_to_the_cluster(user_project, dwh_config, pg_dsn, s3_endpoint, s3, bucket,
                                                        tmp_path):
    """--redshift-config with type = redshift, against `dwh serve` standing in for a cluster (no
    real cluster here): the plugin's cluster path end to end — a schema per test created and
    dropped through the endpoint, the schema file run there, S3 under [S3] lake, emptied after."""
    project, record = user_project
    password = "Stand-in-" + os.urandom(6).hex()
    serve_config = dwh_config.with_overrides(warehouse="none", embedded_data_dir=tmp_path / "serve" / "pg")
    with dwhkit.serve(serve_config, password=password, tls=True) as endpoint:
        (project / "cluster.cfg").write_text(
            f"[TARGET]\ntype = redshift\n[CLUSTER]\nhost = {endpoint.host}\nport = {endpoint.port}\n"
            f"db_name = dev\ndb_user = awsuser\n[S3]\nlake = s3://{bucket}/ci\n"
            "[IAM_ROLE]\narn = arn:aws:iam::123456789012:role/ci-loader\n")
        (project / "conftest.py").write_text(STAND_IN_CLUSTER_CONFTEST)
        (project / "test_cluster.py").write_text(CLUSTER_TESTS)
        proc = run_pytest(project, "-q", "--redshift-config", "cluster.cfg", "--redshift-schema", "base.sql",
                          env={"RECORD_DIR": str(record), "DWH_CLUSTER_DB_PASSWORD": password,
                               "AWS_ENDPOINT_URL_S3": s3_endpoint, "AWS_ACCESS_KEY_ID": "testing",
                               "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert password not in proc.stdout + proc.stderr
    seen = json.loads((record / "cluster.json").read_text())
    assert seen["schema"].startswith("dwhkit_test_main_") and seen["prefix"].startswith("ci/dwhkit_test_main_")
    with psycopg2.connect(**pg_dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'dwhkit\\_test\\_%'")
        assert cur.fetchone()[0] == 0  # every test's schema dropped
    conn.close()
    assert s3.list_objects_v2(Bucket=bucket, Prefix="ci/").get("KeyCount", 0) == 0


def test_load_errors_are_this_sessions_own(dwh_config, s3, bucket):
    """Another session's later failed COPY does not show in this session's load_errors()."""
    s3.put_object(Bucket=bucket, Key="mine.csv", Body=b"x\n")
    s3.put_object(Bucket=bucket, Key="theirs.csv", Body=b"1\ny\n")
    mine, theirs = dwhkit.connect(dwh_config), dwhkit.connect(dwh_config)
    try:
        mine.cursor().execute("CREATE TABLE t (id INTEGER)")
        mine.commit()
        for conn, key in ((mine, "mine.csv"), (theirs, "theirs.csv")):
            with pytest.raises(AssertionError):
                run_copy(conn, f"COPY t FROM 's3://{bucket}/{key}' IAM_ROLE 'arn:aws:iam::1:role/r' CSV")
        [row] = load_errors(mine)
        assert (row["filename"], row["line_number"], row["raw_field_value"]) == (f"s3://{bucket}/mine.csv", 1, "x")
        [row] = load_errors(theirs)
        assert (row["line_number"], row["raw_field_value"]) == (2, "y")
    finally:
        mine.close()
        theirs.close()
