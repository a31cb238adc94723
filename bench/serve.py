"""`dwh serve` against the Postgres behind it: round trip, COPY throughput, 16 concurrent clients.

Everything runs on a throwaway embedded Postgres and a moto S3 server on loopback; the endpoint is
a real `dwh serve` process (as users run it), reached with psycopg2.

1. Round trip of a trivial query (``SELECT 1``), through the endpoint vs straight to Postgres
   (the issue's target: within 2×).
2. COPY from S3 rows/s through the endpoint vs ``dwhkit.connect()`` in this process (target: equal).
3. 16 clients at once, each with its own session: queries/s and errors (target: none).

Run: ``.venv/bin/python -m bench.serve [--queries 2000] [--rows 200000]``. Measures the working tree.
"""
from __future__ import annotations

import argparse
import io
import os
import socket
import statistics
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


def _round_trips(conn, n: int) -> list[float]:
    cur = conn.cursor()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        cur.execute("SELECT 1")
        cur.fetchone()
        times.append(time.perf_counter() - t0)
    return times


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

    from moto.server import ThreadedMotoServer

    from bench.common import dwhkit_connect, start_postgres

    work = Path(tempfile.mkdtemp(prefix="dwhkit-bench-serve-", dir="/tmp"))
    os.chmod(work, 0o755)
    server, info = start_postgres(work)
    moto_port = _free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
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
        results = {}
        for name, dsn in (("direct", direct), ("endpoint", endpoint)):
            conn = psycopg2.connect(**dsn)
            conn.autocommit = True
            _round_trips(conn, 200)  # warm up (translation cache, plans)
            results[name] = _round_trips(conn, args.queries)
            conn.close()
        med = {k: statistics.median(v) * 1e6 for k, v in results.items()}
        print(f"round trip SELECT 1: direct {med['direct']:.0f} µs, endpoint {med['endpoint']:.0f} µs "
              f"(median; ratio {med['endpoint'] / med['direct']:.2f}×)")

        # 2. COPY from S3
        conn = psycopg2.connect(**endpoint)
        conn.autocommit = True
        via_endpoint = _copy_rows_per_s(conn, "bench_copy_ep", uri, args.rows)
        conn.close()
        dconn = dwhkit_connect(info.dsn())
        dconn.autocommit = True
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
