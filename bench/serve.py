"""`dwh serve` against the Postgres behind it: round trip, COPY throughput, 16 concurrent clients.

Everything runs on a throwaway embedded Postgres and a moto S3 server on loopback; the endpoint is
a real `dwh serve` process (as users run it), reached with psycopg2.

1. Round trip of a trivial query, through the endpoint vs straight to Postgres (the issue's
   target: within 2×): ``SELECT 1`` as a simple Query (psycopg2), and ``SELECT $1::int`` as an
   extended query (Parse/Bind/Describe/Execute/Sync, what JDBC and redshift_connector send) from a
   small raw-protocol client that runs the same code against both. Direct and endpoint are
   measured in alternating blocks on connections open side by side, so drift in the machine's
   load (other processes on the 2 cores) falls on both alike. redshift_connector's own round trip
   through the endpoint is printed too (it refuses to connect to Postgres directly).
2. COPY from S3 rows/s through the endpoint vs ``dwhkit.connect()`` in this process (target: equal),
   each after a one-row COPY on its path (the first COPY in a process pays the emulation's imports).
3. 16 clients at once, each with its own session: queries/s and errors (target: none).

Run: ``.venv/bin/python -m bench.serve [--queries 2000] [--rows 200000]``. Measures the working tree.
"""
from __future__ import annotations

import argparse
import io
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg2

PASSWORD = "bench-" + uuid.uuid4().hex[:10]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(fn, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def _interleaved(fns: dict, n: int, block: int = 100) -> dict[str, float]:
    """Median µs of each callable, measured in alternating blocks (order swapped every block),
    and under ``"ratio"`` the median over block pairs of endpoint/direct (when both are measured):
    a pair runs within a few milliseconds, so a change in the machine's load hits both sides."""
    for fn in fns.values():
        _timed(fn, 200)  # warm up (translation cache, plans)
    times = {name: [] for name in fns}
    blocks = {name: [] for name in fns}
    names = list(fns)
    for i in range(max(1, n // block)):
        for name in (names if i % 2 == 0 else names[::-1]):
            t = _timed(fns[name], block)
            times[name] += t
            blocks[name].append(statistics.median(t))
    out = {name: statistics.median(t) * 1e6 for name, t in times.items()}
    if "direct" in blocks and "endpoint" in blocks:
        out["ratio"] = statistics.median(e / d for e, d in zip(blocks["endpoint"], blocks["direct"]))
    return out


def _simple_select(conn):
    cur = conn.cursor()

    def run():
        cur.execute("SELECT 1")
        cur.fetchone()
    return run


class _ExtendedClient:
    """Parse/Bind/Describe/Execute/Sync on the unnamed statement, as drivers send them; the same
    code against Postgres and the endpoint."""

    def __init__(self, host, port, user, password, dbname):
        from dwhkit.serve import wire
        from dwhkit.serve.auth import login_to_backend

        self.wire = wire
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = wire.MessageReader(self.sock)
        self.sock.sendall(wire.startup_packet({"user": user, "database": dbname}))
        login_to_backend(self.sock, self.reader, user, password)
        self._until_ready()

    def _until_ready(self) -> list:
        rows = []
        while True:
            kind, raw = self.reader.read()
            if kind == b"E":
                raise RuntimeError(self.wire.fields(raw[5:-1]).get("M"))
            if kind == b"D":
                rows.append(raw)
            if kind == b"Z":
                return rows

    def query(self, sql: str, value: int) -> None:
        w = self.wire
        data = str(value).encode()
        self.sock.sendall(
            w.message(b"P", w.cstr("") + w.cstr(sql) + struct.pack("!hi", 1, 23))
            + w.message(b"B", w.cstr("") + w.cstr("") + struct.pack("!hhi", 0, 1, len(data)) + data
                        + struct.pack("!h", 0))
            + w.message(b"D", b"P" + w.cstr("")) + w.message(b"E", w.cstr("") + struct.pack("!i", 0))
            + w.message(b"S"))
        assert len(self._until_ready()) == 1

    def close(self) -> None:
        self.sock.sendall(self.wire.message(b"X"))
        self.sock.close()


def _copy_rows_per_s(conn, table: str, uri: str, rows: int) -> float:
    cur = conn.cursor()
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute(f"CREATE TABLE {table} (id BIGINT, name VARCHAR(40), amount DECIMAL(12,2), at TIMESTAMP)")
    t0 = time.perf_counter()
    cur.execute(f"COPY {table} FROM '{uri}' IAM_ROLE 'arn:aws:iam::123456789012:role/bench' CSV")
    seconds = time.perf_counter() - t0
    cur.execute(f"SELECT COUNT(*) FROM {table}")
    assert cur.fetchone()[0] == rows
    return rows / seconds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--clients", type=int, default=16)
    args = ap.parse_args(argv)

    from bench.common import dwhkit_connect, start_postgres
    from dwhkit.testing.local_s3 import moto_server

    work = Path(tempfile.mkdtemp(prefix="dwhkit-bench-serve-", dir="/tmp"))
    os.chmod(work, 0o755)
    server, info = start_postgres(work)
    moto_port = _free_port()
    moto = moto_server(moto_port)
    moto.start()
    os.environ.update({"AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{moto_port}", "AWS_ACCESS_KEY_ID": "bench",
                       "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"})
    proc = None
    try:
        import boto3

        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="bench")
        body = io.StringIO()
        for i in range(args.rows):
            body.write(f"{i},name {i % 977},{i % 10000}.25,2024-01-{1 + i % 28:02d} 12:00:00\n")
        s3.put_object(Bucket="bench", Key="rows/part-0.csv", Body=body.getvalue().encode())
        s3.put_object(Bucket="bench", Key="warm/part-0.csv", Body=b"1,a,1.25,2024-01-01 12:00:00\n")
        uri = "s3://bench/rows/"

        cfg = work / "dwh.cfg"
        cfg.write_text(f"[TARGET]\ntype = postgres\nwarehouse = none\n[CLUSTER]\nhost = {info.host}\n"
                       f"port = {info.port}\ndb_name = {info.dbname}\ndb_user = {info.user}\n")
        env = {**os.environ, "DWH_SERVE_PASSWORD": PASSWORD, "DWH_CLUSTER_DB_PASSWORD": info.password}
        proc = subprocess.Popen([sys.executable, "-m", "dwhkit.cli", "--config", str(cfg), "serve", "--port", "0"],
                                env=env, stdout=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        port = int(line.strip().split(":")[-1].split()[0])
        endpoint = dict(host="127.0.0.1", port=port, user="awsuser", password=PASSWORD, dbname=info.dbname,
                        sslmode="disable")
        direct = dict(info.dsn(), sslmode="disable")

        print(f"dwh serve bench: {args.queries} round trips, {args.rows} COPY rows, {args.clients} clients "
              f"(2 CPU cores shared; working tree)")
        # 1. round trips
        conns = {name: psycopg2.connect(**dsn) for name, dsn in (("direct", direct), ("endpoint", endpoint))}
        for conn in conns.values():
            conn.autocommit = True
        med = _interleaved({name: _simple_select(conn) for name, conn in conns.items()}, args.queries)
        for conn in conns.values():
            conn.close()
        print(f"round trip, simple Query SELECT 1 (psycopg2): direct {med['direct']:.0f} µs, endpoint "
              f"{med['endpoint']:.0f} µs (medians; ratio {med['ratio']:.2f}×, median of block pairs)")
        clients = {"direct": _ExtendedClient(info.host, info.port, info.user, info.password, info.dbname),
                   "endpoint": _ExtendedClient("127.0.0.1", port, "awsuser", PASSWORD, info.dbname)}
        med = _interleaved({name: (lambda c=c: c.query("SELECT $1::int", 7)) for name, c in clients.items()},
                           args.queries)
        for c in clients.values():
            c.close()
        print(f"round trip, extended query SELECT $1::int (P/B/D/E/S): direct {med['direct']:.0f} µs, endpoint "
              f"{med['endpoint']:.0f} µs (medians; ratio {med['ratio']:.2f}×, median of block pairs)")
        import redshift_connector

        rs = redshift_connector.connect(host="127.0.0.1", port=port, user="awsuser", password=PASSWORD,
                                        database=info.dbname, ssl=False)
        rs.autocommit = True
        rcur = rs.cursor()

        def rs_select():
            rcur.execute("SELECT %s", (7,))
            rcur.fetchone()
        rs_med = _interleaved({"endpoint": rs_select}, args.queries)["endpoint"]
        rs.close()
        print(f"round trip, redshift_connector SELECT %s through the endpoint: {rs_med:.0f} µs (median)")

        # 2. COPY from S3 (a one-row COPY first on each path: the emulation's first use in a process
        # imports its modules, pandas among them, which is not throughput)
        conn = psycopg2.connect(**endpoint)
        conn.autocommit = True
        _copy_rows_per_s(conn, "bench_copy_ep", "s3://bench/warm/", 1)
        via_endpoint = _copy_rows_per_s(conn, "bench_copy_ep", uri, args.rows)
        conn.close()
        dconn = dwhkit_connect(info.dsn())
        dconn.autocommit = True
        _copy_rows_per_s(dconn, "bench_copy_dc", "s3://bench/warm/", 1)
        via_connect = _copy_rows_per_s(dconn, "bench_copy_dc", uri, args.rows)
        dconn.close()
        print(f"COPY from S3: endpoint {via_endpoint:,.0f} rows/s, dwhkit.connect() {via_connect:,.0f} rows/s "
              f"(ratio {via_endpoint / via_connect:.2f})")

        # 3. concurrent clients
        errors, done = [], []

        def client(i):
            try:
                c = psycopg2.connect(**endpoint)
                cur = c.cursor()
                cur.execute(f"SET query_group TO 'c{i}'")
                cur.execute("CREATE TEMP TABLE mine (n INT)")
                for k in range(100):
                    cur.execute("INSERT INTO mine VALUES (%s)", (k,))
                    cur.execute("SELECT COUNT(*), NVL(MAX(n), 0), GETDATE() IS NOT NULL FROM mine")
                    assert cur.fetchone()[0] == k + 1
                c.commit()
                c.close()
                done.append(i)
            except Exception as exc:  # noqa: BLE001 - counted
                errors.append(repr(exc))

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - t0
        print(f"{args.clients} concurrent clients: {len(done)} finished, {len(errors)} errors, "
              f"{args.clients * 200 / seconds:,.0f} statements/s")
        for e in errors[:5]:
            print("  error:", e)
        return 1 if errors else 0
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
        moto.stop()
        server.destroy()
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
