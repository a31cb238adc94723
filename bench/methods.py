"""The ways of loading one dataset that the benchmark compares. Each returns (rows, seconds),
timing only the load itself (table emptied beforehand)."""
from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass

import boto3
import psycopg2
from psycopg2.extras import execute_values

from bench.datasets import Dataset

BUCKET = "bench"


@dataclass(frozen=True)
class Context:
    dsn: dict
    dataset: Dataset
    peer_rows: int
    s3_prefix: str = ""          # s3://bench/<name>/<variant>/  (the objects of this dataset variant)

    @property
    def local_prefix(self) -> str:
        first = self.dataset.inputs[0]
        return first.parent.as_uri() + "/" + first.name.split("-")[0]


def _conn(ctx):
    return psycopg2.connect(**ctx.dsn)


def _reset(ctx):
    with _conn(ctx) as conn, conn.cursor() as cur:
        cur.execute(f"TRUNCATE {ctx.dataset.table}")


def _count(ctx) -> int:
    with _conn(ctx) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {ctx.dataset.table}")
        return cur.fetchone()[0]


def prepare(ctx: Context, upload: bool = True) -> None:
    """Create the table and upload the inputs to the local S3 server (concurrently: 1,000 objects)."""
    from concurrent.futures import ThreadPoolExecutor

    ds = ctx.dataset
    with _conn(ctx) as conn, conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {ds.table}")
        cur.execute(ds.ddl)
    if not upload:
        return
    s3 = boto3.client("s3")
    try:
        s3.create_bucket(Bucket=BUCKET)
    except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        pass
    key_prefix = ctx.s3_prefix.removeprefix(f"s3://{BUCKET}/")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda p: s3.upload_file(str(p), BUCKET, key_prefix + p.name), ds.inputs))


def warm() -> None:
    """Import what a first COPY imports, so timings measure loading, not module imports."""
    import pyarrow.csv  # noqa: F401
    import pyarrow.json  # noqa: F401

    import dwhkit.compat  # noqa: F401
    import dwhkit.connection  # noqa: F401
    import dwhkit.copy.fastpath  # noqa: F401
    import dwhkit.copy.grammar  # noqa: F401
    import dwhkit.copy.loader  # noqa: F401
    from dwhkit.copy.formats import jsonfmt, text  # noqa: F401
    from dwhkit.copy.sources import shared_client
    from dwhkit.copy.options import CopyCommand

    shared_client(CopyCommand(table="warm")).meta      # the process's S3 client (botocore model loading ~0.2 s)


def _timed(ctx, load) -> tuple[int, float]:
    _reset(ctx)
    started = time.perf_counter()
    load()
    seconds = time.perf_counter() - started
    return _count(ctx), seconds


def reference(ctx: Context):
    """Postgres's own CSV COPY FROM STDIN of the same rows, pre-converted. (From STDIN, not from a
    server-side file: the cluster's user role is not a superuser, and a client streams either way.)"""
    ds = ctx.dataset

    def load():
        with _conn(ctx) as conn, conn.cursor() as cur, open(ds.reference_csv, "rb") as f:
            cur.copy_expert(f"COPY {ds.table} FROM STDIN WITH ({ds.reference_options})", f, size=1 << 20)
    return _timed(ctx, load)


def _dwhkit_copy(ctx: Context, source: str):
    from dwhkit.targets.postgres import PostgresTarget

    ds = ctx.dataset
    d = ctx.dsn
    target = PostgresTarget(d["host"], d["port"], d["dbname"], d["user"], d["password"])

    warm()
    conn0 = target.connect()        # first connection: catalog caches, system tables
    conn0.close()

    def load():
        conn = target.connect()
        cur = conn.cursor()
        cur.execute(f"COPY {ds.table} FROM '{source}' IAM_ROLE default {ds.copy_options}")
        conn.commit()
        conn.close()
    return _timed(ctx, load)


def dwhkit_s3(ctx: Context):
    return _dwhkit_copy(ctx, ctx.s3_prefix)


def dwhkit_s3_botocore(ctx: Context):
    """dwhkit from S3 with every GET through botocore (the obstore store switched off in this child
    process): what object GETs cost before issue 17, measured in the same run."""
    from dwhkit import s3 as s3mod

    s3mod.object_store = lambda client, bucket: None
    return _dwhkit_copy(ctx, ctx.s3_prefix)


def dwhkit_local(ctx: Context):
    return _dwhkit_copy(ctx, ctx.local_prefix)


def dwhkit_exact_local(ctx: Context):
    """The exact per-record path alone (fast path off): what every COPY cost before it."""
    import os

    os.environ["DWH_COPY_FASTPATH"] = "0"
    return _dwhkit_copy(ctx, ctx.local_prefix)


def _json_to_copy(ctx: Context, loads):
    ds = ctx.dataset

    def load():
        buf = io.StringIO()
        w = csv.writer(buf)
        for path in ds.inputs:
            with open(path, "rb") as fh:
                for line in fh:
                    rec = loads(line)
                    w.writerow([rec.get(c) for c in ds.columns])
        buf.seek(0)
        with _conn(ctx) as conn, conn.cursor() as cur:
            cur.copy_expert(f"COPY {ds.table} FROM STDIN WITH (FORMAT csv)", buf)
    return _timed(ctx, load)


def stdlib_json_copy(ctx: Context):
    return _json_to_copy(ctx, json.loads)


def orjson_copy(ctx: Context):
    import orjson

    return _json_to_copy(ctx, orjson.loads)


def _peer_rows(ctx: Context) -> list[dict]:
    import orjson

    rows = []
    with open(ctx.dataset.inputs[0], "rb") as fh:
        for line in fh:
            rows.append(orjson.loads(line))
            if len(rows) >= ctx.peer_rows:
                break
    return rows


def psycopg2_execute_values(ctx: Context):
    ds = ctx.dataset
    rows = [tuple(r.get(c) for c in ds.columns) for r in _peer_rows(ctx)]
    cols = ", ".join(f'"{c}"' for c in ds.columns)

    def load():
        with _conn(ctx) as conn, conn.cursor() as cur:
            execute_values(cur, f"INSERT INTO {ds.table} ({cols}) VALUES %s", rows, page_size=1000)
    return _timed(ctx, load)


def pandas_to_sql(ctx: Context):
    import pandas as pd
    import sqlalchemy

    ds = ctx.dataset
    d = ctx.dsn
    engine = sqlalchemy.create_engine(
        f"postgresql+psycopg2://{d['user']}:{d['password']}@{d['host']}:{d['port']}/{d['dbname']}")

    def load():
        frame = pd.read_json(ds.inputs[0], lines=True, nrows=ctx.peer_rows, convert_dates=False, dtype=False)
        frame.to_sql(ds.table, engine, if_exists="append", index=False, method="multi", chunksize=1000)
    result = _timed(ctx, load)
    engine.dispose()
    return result


REGISTRY = {
    "reference": reference,
    "dwhkit-s3": dwhkit_s3,
    "dwhkit-s3-botocore": dwhkit_s3_botocore,
    "dwhkit-local": dwhkit_local,
    "dwhkit-exact-local": dwhkit_exact_local,
    "stdlib-json-copy": stdlib_json_copy,
    "orjson-copy": orjson_copy,
    "psycopg2-execute_values": psycopg2_execute_values,
    "pandas-to_sql": pandas_to_sql,
}
METHODS = {
    "stedi": ["reference", "dwhkit-s3", "dwhkit-local", "dwhkit-exact-local", "stdlib-json-copy", "orjson-copy",
              "psycopg2-execute_values", "pandas-to_sql"],
    "criteo": ["reference", "dwhkit-s3", "dwhkit-local", "dwhkit-exact-local"],
}
MANY_FILES_METHODS = ["dwhkit-s3", "dwhkit-s3-botocore", "dwhkit-local"]
MEMORY_METHODS = ["dwhkit-s3", "dwhkit-local"]


def child_main(name, ctx, queue):
    """Entry point of one measured child process (spawned: its RSS is its own)."""
    try:
        rows, seconds = REGISTRY[name](ctx)
        queue.put(("ok", rows, seconds, _vm_hwm()))
    except Exception as exc:  # reported in the table, the run goes on
        queue.put(("error", f"{type(exc).__name__}: {exc}", 0, 0))


def _vm_hwm() -> int:
    """This process's peak RSS (VmHWM; ru_maxrss would include the pre-exec parent's RSS)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
