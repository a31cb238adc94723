"""`dwh serve`: the wire protocol, authentication, transaction states, cancel, concurrency, COPY/UNLOAD,
psql and psycopg2 — against a real endpoint in front of the test session's real Postgres."""
from __future__ import annotations

import logging
import os
import socket
import struct
import subprocess
import threading
import time
import uuid

import psycopg2
import psycopg2.extensions as ext
import pytest

import dwhkit
from dwhkit.config import ClusterConfig, Config, Secret
from dwhkit.errors import ConfigError
from dwhkit.serve import wire
from dwhkit.targets.scratch import drop_database

PASSWORD = "Serve-Test-pw-" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def serve_db(pg_server):
    """A database of its own for this module's endpoint (dropped at the end)."""
    name = f"serve_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(**pg_server.dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.dsn(name)
    drop_database(admin, name)
    admin.close()


@pytest.fixture(scope="module")
def serve_config(serve_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    cfg = folder / "dwh.cfg"
    cfg.write_text("[TARGET]\ntype = postgres\nwarehouse = none\n")
    return Config(path=cfg, target_type="postgres", warehouse="none",
                  cluster=ClusterConfig(host=serve_db["host"], port=serve_db["port"], db_name=serve_db["dbname"],
                                        db_user=serve_db["user"], db_password=Secret(serve_db["password"])),
                  embedded_data_dir=folder / "pg")


@pytest.fixture(scope="module")
def endpoint(serve_config):
    with dwhkit.serve(serve_config, password=PASSWORD, auth="scram-sha-256") as ep:
        yield ep


@pytest.fixture(scope="module")
def md5_endpoint(serve_config):
    with dwhkit.serve(serve_config, password=PASSWORD, auth="md5") as ep:
        yield ep


def connect(ep, **kw):
    params = dict(host=ep.host, port=ep.port, user="awsuser", password=PASSWORD, dbname="dev", sslmode="disable")
    params.update(kw)
    return psycopg2.connect(**params)


# -- a raw protocol client: what the wire carries, byte for byte ----------------------------------
class RawClient:
    def __init__(self, host, port, user, password, dbname):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.reader = wire.MessageReader(self.sock)
        self.sock.sendall(wire.startup_packet({"user": user, "database": dbname}))
        from dwhkit.serve.auth import login_to_backend

        login_to_backend(self.sock, self.reader, user, password)
        self.params, self.key = {}, None
        for kind, raw in self.until_ready():
            if kind == b"S":
                name, pos = wire.read_cstr(raw, 5)
                self.params[name] = wire.read_cstr(raw, pos)[0]
            elif kind == b"K":
                self.key = struct.unpack_from("!ii", raw, 5)

    def until_ready(self):
        out = []
        while True:
            kind, raw = self.reader.read()
            out.append((kind, raw))
            if kind == b"Z":
                return out

    def send(self, *messages):
        self.sock.sendall(b"".join(messages))
        return self.until_ready()

    def close(self):
        self.sock.sendall(wire.message(b"X"))
        self.sock.close()


def extended(sql, params=(), result_format=0, name=b""):
    """Parse/Bind/Describe/Execute/Sync for ``sql`` with text parameters."""
    bind = name + b"\0" + name + b"\0" + struct.pack("!h", 0) + struct.pack("!h", len(params))
    for p in params:
        bind += struct.pack("!i", len(p)) + p
    bind += struct.pack("!hh", 1, result_format)
    return (wire.message(b"P", name + b"\0" + sql.encode() + b"\0" + struct.pack("!h", 0)),
            wire.message(b"B", bind), wire.message(b"D", b"P" + name + b"\0"),
            wire.message(b"E", name + b"\0" + struct.pack("!i", 0)), wire.message(b"S"))


def test_results_are_byte_exact_with_postgres(endpoint, serve_db):
    """Row descriptions (type OIDs), text and binary values, tags: the same bytes as Postgres sends."""
    proxy = RawClient(endpoint.host, endpoint.port, "awsuser", PASSWORD, "dev")
    direct = RawClient(serve_db["host"], serve_db["port"], serve_db["user"], serve_db["password"], serve_db["dbname"])
    try:
        query = ("SELECT 1::int8 AS a, 'x'::text AS b, 2.50::numeric(5,2) AS c, DATE '2024-02-29' AS d, "
                 "NULL::bool AS e, ARRAY[1,2]::int4[] AS f")
        simple = wire.message(b"Q", wire.cstr(query))
        assert proxy.send(simple) == direct.send(simple)
        for fmt in (0, 1):  # text and binary results, with a bound parameter
            msgs = extended("SELECT $1::int4 + 1 AS n, now()::date = current_date AS today", [b"41"], fmt)
            got = proxy.send(*msgs)
            assert got == direct.send(*msgs)
            assert [k for k, _ in got] == [b"1", b"2", b"T", b"D", b"C", b"Z"]
        # the startup parameters a Redshift client sees: server_version is Redshift's
        assert proxy.params["server_version"] == "8.0.2"
        assert proxy.params["session_authorization"] == "awsuser"
        assert proxy.key is not None and proxy.key != direct.key
    finally:
        proxy.close()
        direct.close()


def test_named_statements_and_portals(endpoint):
    raw = RawClient(endpoint.host, endpoint.port, "awsuser", PASSWORD, "dev")
    try:
        out = raw.send(*extended("SELECT $1::text || '!' AS s", [b"hi"], name=b"st1"))
        data = [r for k, r in out if k == b"D"]
        assert data and data[0].endswith(b"hi!")
        # re-bind the named statement without parsing again, then close it
        bind = b"p1\0st1\0" + struct.pack("!hhi", 0, 1, 2) + b"yo" + struct.pack("!h", 0)
        out = raw.send(wire.message(b"B", bind), wire.message(b"E", b"p1\0" + struct.pack("!i", 0)),
                       wire.message(b"C", b"Sst1\0"), wire.message(b"S"))
        assert [k for k, _ in out] == [b"2", b"D", b"C", b"3", b"Z"]
        assert out[1][1].endswith(b"yo!")
        # a Redshift statement through Parse is translated
        out = raw.send(*extended("SELECT DATEDIFF(day, '2024-01-01'::date, '2024-03-01'::date) AS d"))
        assert [r for k, r in out if k == b"D"][0].endswith(b"60")
    finally:
        raw.close()


@pytest.mark.parametrize("fixture", ["endpoint", "md5_endpoint"])
def test_login_scram_and_md5(fixture, request):
    ep = request.getfixturevalue(fixture)
    conn = connect(ep)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT current_user IS NOT NULL")
            assert cur.fetchone() == (True,)
    finally:
        conn.close()
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        connect(ep, password="wrong")
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        connect(ep, user="someone")
    with pytest.raises(psycopg2.OperationalError, match='database "other" does not exist'):
        connect(ep, dbname="other")


def test_dev_is_a_database_of_its_own_and_the_targets_is_served_too(endpoint, serve_db):
    """AMBIG decided in server.py: "dev" (Redshift's default) is a real database, so three-part
    names and current_database() agree with what clients asked for; the target's own database is
    reachable under its own name."""
    for dbname in ("dev", serve_db["dbname"]):
        conn = connect(endpoint, dbname=dbname)
        try:
            with conn.cursor() as cur:
                cur.execute(f"SELECT current_database(), COUNT(*) FROM {dbname}.pg_catalog.pg_class")
                name, count = cur.fetchone()
                assert name == dbname and count > 0
        finally:
            conn.close()


def test_secrets_stay_out_of_logs_and_reprs(serve_config, endpoint, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(psycopg2.OperationalError):
        connect(endpoint, password=PASSWORD + "x")
    conn = connect(endpoint)
    conn.close()
    from dwhkit.serve import settings_for

    settings = settings_for(serve_config, password=PASSWORD)
    assert PASSWORD not in repr(settings)
    assert PASSWORD not in caplog.text
    assert str(serve_config.cluster.db_password) not in caplog.text


def test_password_is_required(serve_config, monkeypatch):
    monkeypatch.delenv("DWH_SERVE_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="DWH_SERVE_PASSWORD"):
        with dwhkit.serve(serve_config):
            pass


def test_redshift_sql_and_settings(endpoint):
    conn = connect(endpoint)
    t = f"t_{uuid.uuid4().hex[:8]}"
    try:
        assert conn.server_version == 80002
        with conn.cursor() as cur:
            cur.execute("SELECT version()")
            version = cur.fetchone()[0]
            assert version.startswith("PostgreSQL 8.0.2 ") and "Redshift" in version
            cur.execute(f"CREATE TABLE {t} (id INT IDENTITY(0,1), v VARCHAR(MAX) ENCODE zstd) DISTSTYLE ALL SORTKEY(id)")
            assert cur.statusmessage == "CREATE TABLE"  # one tag, though it ran as two statements
            cur.execute(f"INSERT INTO {t} (v) VALUES (%s), (%s)", ("a", "b"))
            assert cur.rowcount == 2
            cur.execute(f"SELECT id, NVL(v, 'z'), LEN(v) FROM {t} ORDER BY id")
            assert cur.fetchall() == [(0, "a", 1), (1, "b", 1)]
            cur.execute(f"SELECT diststyle FROM svv_table_info WHERE \"table\" = '{t}'")
            assert cur.fetchone()[0] == "ALL"
            for stmt in ("SET query_group TO 'nightly'", "SET search_path TO public, dwhkit_system",
                         "SET timezone TO 'UTC'", "SET enable_case_sensitive_identifier TO true",
                         "SET statement_timeout TO 60000", "SET datestyle TO 'ISO, MDY'"):
                cur.execute(stmt)
                assert cur.statusmessage == "SET"
            cur.execute("SHOW query_group")
            assert cur.fetchone() == ("nightly",)
            cur.execute("SHOW statement_timeout")
            assert cur.fetchone() == ("1min",)
            cur.execute("SELECT current_setting('search_path')")
            assert cur.fetchone()[0].startswith("public")
        conn.commit()
    finally:
        conn.close()


def test_unsupported_statement_is_refused(endpoint):
    conn = connect(endpoint)
    try:
        with conn.cursor() as cur:
            with pytest.raises(psycopg2.Error) as info:
                cur.execute("SELECT a FROM (SELECT 1 AS a, 2 AS b) t UNPIVOT (v FOR k IN (a, b))")
            assert info.value.pgcode is not None
    finally:
        conn.close()


def test_transaction_states(endpoint):
    conn = connect(endpoint)
    try:
        cur = conn.cursor()
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
        cur.execute("SELECT 1")
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS
        with pytest.raises(psycopg2.errors.DivisionByZero):
            cur.execute("SELECT 1 / 0")
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INERROR
        with pytest.raises(psycopg2.errors.InFailedSqlTransaction):
            cur.execute("SELECT 1")
        conn.rollback()
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
        conn.autocommit = True
        cur.execute("SELECT 2")
        assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
    finally:
        conn.close()


def test_cancel_request_reaches_the_backend_session(endpoint):
    """A CancelRequest with the key the proxy handed out cancels the backend session's query.
    (Raw messages here: psycopg2's conn.cancel() holds the GIL, so it cannot reach an endpoint running
    in the same process; test_dwh_serve_command cancels through psycopg2 against `dwh serve`.)"""
    raw = RawClient(endpoint.host, endpoint.port, "awsuser", PASSWORD, "dev")
    try:
        raw.sock.sendall(wire.message(b"Q", wire.cstr("SELECT pg_sleep(60)")))
        time.sleep(0.5)
        with socket.create_connection((endpoint.host, endpoint.port)) as s:
            s.sendall(wire.cancel_packet(*raw.key))
            assert s.recv(1) == b""
        out = raw.until_ready()
        errors = [wire.fields(r[5:-1]) for k, r in out if k == b"E"]
        assert errors and errors[0]["C"] == "57014"  # query_canceled
        assert out[-1][1][5:6] == b"I"
        out = raw.send(wire.message(b"Q", wire.cstr("SELECT 'still usable'")))
        assert [k for k, _ in out] == [b"T", b"D", b"C", b"Z"]
    finally:
        raw.close()


def test_cancel_with_a_wrong_key_does_nothing(endpoint):
    raw = RawClient(endpoint.host, endpoint.port, "awsuser", PASSWORD, "dev")
    try:
        pid, key = raw.key
        with socket.create_connection((endpoint.host, endpoint.port)) as s:
            s.sendall(wire.cancel_packet(pid, key ^ 0x5A5A))
            assert s.recv(1) == b""  # the server hangs up, says nothing
        out = raw.send(wire.message(b"Q", wire.cstr("SELECT pg_sleep(0.3), 'done'")))
        assert [k for k, _ in out] == [b"T", b"D", b"C", b"Z"]
    finally:
        raw.close()


def test_sixteen_concurrent_clients_each_with_its_own_session(endpoint):
    results, failures = {}, []

    def client(i):
        try:
            conn = connect(endpoint)
            with conn.cursor() as cur:
                cur.execute(f"SET query_group TO 'q{i}'")
                cur.execute("CREATE TEMP TABLE mine (n INT)")
                cur.execute("INSERT INTO mine SELECT generate_series(1, %s)", (i + 1,))
                cur.execute("SELECT pg_backend_pid(), current_setting('dwhkit.query_group'), COUNT(*) FROM mine")
                results[i] = cur.fetchone()
            conn.rollback()
            conn.close()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures
    assert len({pid for pid, _, _ in results.values()}) == 16
    assert all(results[i][1:] == (f"q{i}", i + 1) for i in range(16))


# -- COPY, UNLOAD ---------------------------------------------------------------------------------
def test_copy_from_s3_answers_like_redshift(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="in/part-0.csv", Body=b"1,apple\n2,pear\n3,fig\n")
    t = f"fruit_{uuid.uuid4().hex[:8]}"
    conn = connect(endpoint)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE TABLE {t} (id INT, name VARCHAR(20))")
            cur.execute(f"COPY {t} FROM 's3://{bucket}/in/' IAM_ROLE 'arn:aws:iam::123456789012:role/x' CSV")
            assert cur.statusmessage == "COPY 3"
            assert cur.rowcount == 3
            assert any(f"Load into table '{t}' completed, 3 record(s) loaded successfully." in n for n in conn.notices)
            cur.execute(f"SELECT COUNT(*), MAX(name) FROM {t}")
            assert cur.fetchone() == (3, "pear")
            # UNLOAD, then COPY the files back: the same rows
            cur.execute(f"UNLOAD ('SELECT * FROM {t}') TO 's3://{bucket}/out/{t}_' "
                        "IAM_ROLE 'arn:aws:iam::123456789012:role/x' CSV")
            assert cur.statusmessage == "UNLOAD"
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="out/").get("Contents", [])]
            assert keys
            cur.execute(f"CREATE TABLE {t}_back (id INT, name VARCHAR(20))")
            cur.execute(f"COPY {t}_back FROM 's3://{bucket}/out/{t}_' IAM_ROLE 'arn:aws:iam::123456789012:role/x' CSV")
            cur.execute(f"SELECT COUNT(*) FROM (SELECT * FROM {t} EXCEPT SELECT * FROM {t}_back) d")
            assert cur.fetchone() == (0,)
    finally:
        conn.close()


def test_copy_errors_and_transaction_blocks(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="bad.csv", Body=b"1,ok\nnot-a-number,bad\n")
    t = f"nums_{uuid.uuid4().hex[:8]}"
    conn = connect(endpoint)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE TABLE {t} (id INT, name VARCHAR(20))")
            conn.commit()
            # inside a transaction block the COPY runs in the client's own session: a table created
            # in the same transaction is loadable, and ROLLBACK undoes the load with it
            cur.execute(f"CREATE TABLE {t}_tx (id INT, name VARCHAR(20))")
            cur.execute(f"COPY {t}_tx FROM 's3://{bucket}/bad.csv' IAM_ROLE 'arn:aws:iam::1:role/x' CSV MAXERROR 1")
            assert cur.statusmessage == "COPY 1"
            cur.execute(f"SELECT id FROM {t}_tx")
            assert cur.fetchall() == [(1,)]
            assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INTRANS
            conn.rollback()
            cur.execute(f"SELECT to_regclass('{t}_tx') IS NULL")
            assert cur.fetchone() == (True,)
            # a failed COPY aborts the transaction, as any error does on Redshift
            with pytest.raises(psycopg2.Error, match=f"Load into table '{t}' failed"):
                cur.execute(f"COPY {t} FROM 's3://{bucket}/bad.csv' IAM_ROLE 'arn:aws:iam::1:role/x' CSV")
            assert conn.info.transaction_status == ext.TRANSACTION_STATUS_INERROR
            conn.rollback()
            conn.autocommit = True
            with pytest.raises(psycopg2.Error, match=f"Load into table '{t}' failed"):
                cur.execute(f"COPY {t} FROM 's3://{bucket}/bad.csv' IAM_ROLE 'arn:aws:iam::1:role/x' CSV")
            assert conn.info.transaction_status == ext.TRANSACTION_STATUS_IDLE
            cur.execute(f"SELECT COUNT(*) FROM {t}")
            assert cur.fetchone() == (0,)  # all or nothing
            cur.execute("SELECT COUNT(*) > 0 FROM stl_load_errors")
            assert cur.fetchone() == (True,)
            # MAXERROR: the good row loads, the bad one is counted
            cur.execute(f"COPY {t} FROM 's3://{bucket}/bad.csv' IAM_ROLE 'arn:aws:iam::1:role/x' CSV MAXERROR 5")
            assert cur.statusmessage == "COPY 1"
            assert any("1 record(s) could not be loaded" in n for n in conn.notices)
    finally:
        conn.close()


def test_copy_from_stdin_is_postgres_own(endpoint):
    import io

    t = f"stdin_{uuid.uuid4().hex[:8]}"
    conn = connect(endpoint)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE TABLE {t} (id INT, name TEXT)")
            cur.copy_expert(f"COPY {t} FROM STDIN WITH (FORMAT csv)", io.StringIO("1,a\n2,b\n"))
            out = io.StringIO()
            cur.copy_expert(f"COPY {t} TO STDOUT WITH (FORMAT csv)", out)
            assert out.getvalue() == "1,a\n2,b\n"
        conn.rollback()
    finally:
        conn.close()


# -- psql (libpq's own client) --------------------------------------------------------------------
def _psql():
    for path in ("/usr/lib/postgresql/15/bin/psql", "/usr/bin/psql"):
        if os.path.exists(path):
            return path
    pytest.skip("psql is not installed (Debian: postgresql-client)")


def test_psql(endpoint):
    env = {**os.environ, "PGPASSWORD": PASSWORD, "PGSSLMODE": "disable"}
    t = f"p_{uuid.uuid4().hex[:8]}"
    script = (f"CREATE TABLE {t} (id INT, d DATE) DISTKEY(id);\n"
              f"INSERT INTO {t} VALUES (1, '2024-02-29'), (2, NULL);\n"
              f"SELECT id, NVL(TO_CHAR(d, 'Mon DD YYYY'), 'none') AS d FROM {t} ORDER BY id;\n"
              f"\\copy {t} FROM STDIN WITH (FORMAT csv)\n3,2024-03-01\n\\.\n"
              f"SELECT COUNT(*) AS n FROM {t};\n"
              f"\\d {t}\n"
              f"DROP TABLE {t};\n")
    proc = subprocess.run([_psql(), "-h", endpoint.host, "-p", str(endpoint.port), "-U", "awsuser", "-d", "dev",
                           "-X", "-v", "ON_ERROR_STOP=1", "-A", "-F", "|"], input=script, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "1|Feb 29 2024" in proc.stdout
    assert "2|none" in proc.stdout
    assert "COPY 1" in proc.stdout
    assert "\n3\n" in proc.stdout
    assert f'Table "public.{t}"' in proc.stdout and "id|integer" in proc.stdout  # \d: psql's catalog queries
    assert PASSWORD not in proc.stdout + proc.stderr


# -- TLS ------------------------------------------------------------------------------------------
def test_tls_with_a_kept_self_signed_certificate(serve_config):
    from dwhkit.serve import tls_folder

    with dwhkit.serve(serve_config, password=PASSWORD, tls=True) as ep:
        conn = connect(ep, sslmode="require")
        try:
            assert conn.info.ssl_in_use
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                assert cur.fetchone() == (1,)
        finally:
            conn.close()
        cert = tls_folder(serve_config) / "server.crt"
        # verify-full: the certificate names localhost / 127.0.0.1
        conn = connect(ep, sslmode="verify-full", sslrootcert=str(cert))
        assert conn.info.ssl_in_use
        conn.close()
        assert (os.stat(tls_folder(serve_config) / "server.key").st_mode & 0o077) == 0
        first = cert.read_bytes()
    with dwhkit.serve(serve_config, password=PASSWORD, tls=True):
        assert cert.read_bytes() == first  # kept, not made again


# -- the command ----------------------------------------------------------------------------------
def test_dwh_serve_command(serve_config, tmp_path):
    c = serve_config.cluster
    cfg = tmp_path / "dwh.cfg"
    cfg.write_text(f"[TARGET]\ntype = postgres\nwarehouse = none\n[CLUSTER]\nhost = {c.host}\nport = {c.port}\n"
                   f"db_name = {c.db_name}\ndb_user = {c.db_user}\n")
    env = {**os.environ, "DWH_SERVE_PASSWORD": PASSWORD, "DWH_CLUSTER_DB_PASSWORD": str(c.db_password)}
    proc = subprocess.Popen([os.path.join(os.path.dirname(os.sys.executable), "dwh"), "--config", str(cfg),
                             "serve", "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on 127.0.0.1:"), line + proc.stderr.read()
        port = int(line.split(":")[1].split()[0])
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="awsuser", password=PASSWORD, dbname="dev",
                                sslmode="disable")
        with conn.cursor() as cur:
            cur.execute("SELECT GETDATE() IS NOT NULL")
            assert cur.fetchone() == (True,)
            # psycopg2's own cancel (a CancelRequest on a new connection) stops a running query
            errors = []

            def sleep():
                try:
                    cur.execute("SELECT pg_sleep(60)")
                except psycopg2.Error as exc:
                    errors.append(exc)

            t = threading.Thread(target=sleep)
            t.start()
            while t.is_alive():
                time.sleep(0.3)
                conn.cancel()
                t.join(1)
            assert errors and isinstance(errors[0], psycopg2.errors.QueryCanceled)
        conn.close()
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert PASSWORD not in line + out + err
    assert str(c.db_password) not in line + out + err
