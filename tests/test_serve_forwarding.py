"""`dwh serve`'s forwarding fast paths and its seam with targets/: large and split messages, Flush
without Sync, LISTEN while idle, translations shared across sessions, the ``dev`` database and the
warehouse schema from the target, and no driver or engine name inside dwhkit/serve."""
from __future__ import annotations

import ast
import select
import socket
import uuid
from pathlib import Path

import psycopg2
import pytest

import dwhkit
from dwhkit.errors import ConfigError
from dwhkit.serve import wire
from dwhkit.targets.scratch import drop_database
from tests.test_serve import (PASSWORD, RawClient, connect, endpoint, extended, serve_config,  # noqa: F401
                              serve_db)

SERVE = Path(dwhkit.__file__).parent / "serve"


def _raw_pair(endpoint, serve_db):
    proxy = RawClient(endpoint.host, endpoint.port, "awsuser", PASSWORD, serve_db["dbname"])
    direct = RawClient(serve_db["host"], serve_db["port"], serve_db["user"], serve_db["password"], serve_db["dbname"])
    return proxy, direct


def test_a_large_result_arrives_byte_for_byte(endpoint, serve_db):  # noqa: F811
    """Many messages per socket read, messages cut by the reads: the proxy forwards slices of its
    buffer, and the client must get exactly Postgres's bytes."""
    proxy, direct = _raw_pair(endpoint, serve_db)
    try:
        query = wire.message(b"Q", wire.cstr("SELECT g, repeat('x', g % 700) AS pad FROM generate_series(1, 30000) g"))
        got, want = proxy.send(query), direct.send(query)
        assert len(got) == 30000 + 3  # RowDescription, the rows, CommandComplete, ReadyForQuery
        assert got == want
    finally:
        proxy.close()
        direct.close()


def test_messages_split_at_every_byte_are_read_whole(endpoint, serve_db):  # noqa: F811
    """A client may send a message in pieces (headers cut in two included)."""
    proxy, direct = _raw_pair(endpoint, serve_db)
    try:
        batch = b"".join(extended("SELECT $1::int4 * 2 AS n", [b"21"]))
        proxy.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(batch)):
            proxy.sock.sendall(batch[i:i + 1])
        got = proxy.until_ready()
        assert got == direct.send(batch)
        assert [k for k, _ in got] == [b"1", b"2", b"T", b"D", b"C", b"Z"]
    finally:
        proxy.close()
        direct.close()


def test_flush_without_sync_gets_its_answers(endpoint):  # noqa: F811
    """Parse/Bind/Describe/Execute then Flush (no Sync): the backend's answers must reach the
    client while it waits, with no ReadyForQuery owed (the proxy must not wait on the client alone)."""
    proxy = RawClient(endpoint.host, endpoint.port, "awsuser", PASSWORD, "dev")
    try:
        parse, bind, describe, execute, _ = extended("SELECT $1::text AS t", [b"flushed"])
        proxy.sock.sendall(parse + bind + describe + execute + wire.message(b"H"))
        kinds = []
        while not kinds or kinds[-1] != b"C":
            kind, raw = proxy.reader.read()
            kinds.append(kind)
            if kind == b"D":
                assert raw.endswith(b"flushed")
        assert kinds == [b"1", b"2", b"T", b"D", b"C"]
        assert [k for k, _ in proxy.send(wire.message(b"S"))] == [b"Z"]
    finally:
        proxy.close()


def test_a_listening_idle_client_gets_its_notifications(endpoint, serve_db):  # noqa: F811
    """An idle session is waited on at the client's socket alone, except once it has LISTENed:
    then a notification must reach it without the client sending anything."""
    channel = f"ch_{uuid.uuid4().hex[:8]}"
    listener = connect(endpoint, dbname=serve_db["dbname"])  # NOTIFY reaches its own database only
    listener.autocommit = True
    sender = psycopg2.connect(**serve_db)
    sender.autocommit = True
    try:
        listener.cursor().execute(f"LISTEN {channel}")
        sender.cursor().execute(f"NOTIFY {channel}, 'hello'")
        readable, _, _ = select.select([listener], [], [], 20)
        assert readable, "no notification within 20 s"
        listener.poll()
        assert [(n.channel, n.payload) for n in listener.notifies] == [(channel, "hello")]
    finally:
        listener.close()
        sender.close()


def test_one_text_in_two_sessions_reads_each_sessions_own_tables(endpoint):  # noqa: F811
    """Translations are cached by the message's bytes across sessions (serve/forwarding.py): safe only because
    nothing in the session changes a translation. Two sessions whose search paths differ run the
    same text and each must read its own table."""
    a, b = f"sa_{uuid.uuid4().hex[:8]}", f"sb_{uuid.uuid4().hex[:8]}"
    setup = connect(endpoint)
    setup.autocommit = True
    cur = setup.cursor()
    cur.execute(f"CREATE SCHEMA {a}; CREATE SCHEMA {b}")
    cur.execute(f"CREATE TABLE {a}.shared_name (v VARCHAR(10)); INSERT INTO {a}.shared_name VALUES ('from a')")
    cur.execute(f"CREATE TABLE {b}.shared_name (v INT); INSERT INTO {b}.shared_name VALUES (42)")
    first, second = connect(endpoint), connect(endpoint)
    try:
        for conn, schema in ((first, a), (second, b)):
            conn.autocommit = True
            conn.cursor().execute(f"SET search_path TO {schema}")
        text = "SELECT NVL(v, v) FROM shared_name"
        results = []
        for conn in (first, second, first):
            c = conn.cursor()
            c.execute(text)
            results.append(c.fetchall())
        assert results == [[("from a",)], [(42,)], [("from a",)]]
    finally:
        for conn in (first, second):
            conn.close()
        cur.execute(f"DROP SCHEMA {a} CASCADE; DROP SCHEMA {b} CASCADE")
        setup.close()


def test_the_dev_database_is_the_targets_sibling(serve_config, serve_db):  # noqa: F811
    """Target.sibling: created when missing, idempotent, same login and schema; only Postgres
    targets create databases."""
    from dwhkit.targets import get_target
    from dwhkit.targets.redshift import RedshiftTarget

    name = f"sib_{uuid.uuid4().hex[:8]}"
    target = get_target(serve_config, schema="energy")
    try:
        sibling = target.sibling(name)
        assert target.sibling(name).schema == sibling.schema == "energy"
        raw = sibling.connect_raw()
        with raw.cursor() as cur:
            cur.execute("SELECT current_database(), current_user")
            assert cur.fetchone() == (name, serve_db["user"])
        raw.close()
    finally:
        admin = psycopg2.connect(**serve_db)
        admin.autocommit = True
        drop_database(admin, name)
        admin.close()
    with pytest.raises(ConfigError, match="Postgres targets only"):
        RedshiftTarget("cluster.example", 5439, "dev", "awsuser", "pw").sibling("dev")


def test_the_endpoint_serves_the_configured_warehouse_schema(serve_config):  # noqa: F811
    """serve builds its target where the app does (app.target_for): the warehouse's schema is
    first on every client session's search path, as on dwhkit.connect()'s connections."""
    from dwhkit.serve import make_server

    config = serve_config.with_overrides(warehouse="energy")
    assert make_server(config, password=PASSWORD).target.schema == "energy"
    with dwhkit.serve(config, password=PASSWORD, auth="md5") as ep:
        conn = connect(ep)
        cur = conn.cursor()
        cur.execute("SHOW search_path")
        assert cur.fetchone()[0].replace('"', "").split(",")[0].strip() == "energy"
        conn.close()


def _imports_and_comparisons(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (("import", a.name.split(".")[0]) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield "import", node.module.split(".")[0]
        elif isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                if isinstance(side, ast.Constant) and side.value in ("postgres", "redshift", "embedded"):
                    yield "compares", side.value
        elif isinstance(node, ast.Attribute) and node.attr == "target_type":
            yield "reads", "target_type"


def test_serve_imports_no_driver_and_compares_no_engine_names():
    """Issue 11's seam: only targets/ imports a DB driver or asks which engine it is."""
    found = {(p.name, *hit) for p in sorted(SERVE.glob("*.py")) for hit in _imports_and_comparisons(p)}
    assert not {f for f in found if f[2] in ("psycopg2", "redshift_connector", "psycopg", "pg8000")}
    assert not {f for f in found if f[1] in ("compares", "reads")}
    assert ("server.py", "import", "socket") in found  # the walk sees imports at all
