"""Many small S3 objects: the cost of one GET by client, and dwhkit's COPY of N objects vs one object.

    DWH_BENCH_TREE=work python -m bench.small_objects          # both parts, 1 M rows → 1,000 objects
    python -m bench.small_objects --part gets --tiny 5000
    python -m bench.small_objects --part dwhkit --repeat 3

moto runs as its own process (``python -m dwhkit.testing.local_s3``, as the tests run it) on
127.0.0.1, so the client's CPU (this process) and the server's CPU (moto) are measured apart.
Objects are made by bench/datasets.py (``split``) and uploaded by bench/methods.py's ``prepare``.

Part "gets": fetch every object whole, 8 and 16 at a time (thread pool), with
- botocore        : dwhkit's ``sources._s3_chunks`` with the obstore store switched off (the GET before
                    issue 17: botocore ``get_object``)
- dwhkit (obstore): dwhkit's ``sources._s3_chunks`` as it is (obstore store from the boto3 client,
                    resume and error mapping in Python)
- obstore raw     : ``obstore.get(...).bytes()`` on a store of its own (what the wrapper costs)
- urllib3 + SigV4 : one ``urllib3.PoolManager``; each GET signed by botocore's ``S3SigV4Auth``
Reported: wall, objects/s, client CPU ms per GET, moto CPU ms per GET, ratio to botocore.

Part "dwhkit": ``dwhkit.connect()`` + Redshift ``COPY … JSON 'auto'`` of the N objects vs the one
object holding the same rows (S3 and file://), best of --repeat, interleaved; and the same COPYs with
the botocore GET forced (``dwhkit.s3.object_store`` patched to None in this process), so the gain of
obstore is measured in the same run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import dwhkit_connect, load_str, pin_dwhkit, start_moto

WHAT = pin_dwhkit()

import psutil  # noqa: E402

from bench import datasets, methods  # noqa: E402

KEY_ROOT = "small"


# ------------------------------------------------------------------------------------------ moto
def cpu_of(p: psutil.Process) -> float:
    t = p.cpu_times()
    return t.user + t.system + getattr(t, "children_user", 0) + getattr(t, "children_system", 0)


def self_cpu() -> float:
    t = os.times()
    return t.user + t.system


# ------------------------------------------------------------------------------------------ GET clients
def dwhkit_client():
    from dwhkit.copy.options import CopyCommand
    from dwhkit.copy import sources

    return sources.make_client(CopyCommand(table="bench"))


class SignedGet:
    """urllib3 pooled GET, signed with botocore's S3 SigV4 signer (credentials from the boto3 chain)."""

    def __init__(self, boto_client, maxsize=16):
        import urllib3
        from botocore.auth import S3SigV4Auth

        self.endpoint = boto_client.meta.endpoint_url.rstrip("/")
        self.region = boto_client.meta.region_name
        self.creds = boto_client._request_signer._credentials        # resolved once, refreshable object
        if self.creds is None:
            import botocore.session
            self.creds = botocore.session.get_session().get_credentials()
        self.auth_cls = S3SigV4Auth
        self.http = urllib3.PoolManager(maxsize=maxsize, retries=urllib3.Retry(3, backoff_factor=0.2))

    def get(self, bucket: str, key: str) -> bytes:
        from urllib.parse import quote

        from botocore.awsrequest import AWSRequest

        url = f"{self.endpoint}/{bucket}/{quote(key, safe='/~')}"
        req = AWSRequest(method="GET", url=url)
        self.auth_cls(self.creds.get_frozen_credentials(), "s3", self.region).add_auth(req)
        r = self.http.request("GET", url, headers=dict(req.headers.items()), preload_content=True)
        if r.status != 200:
            raise RuntimeError(f"GET {url}: HTTP {r.status}")
        return r.data


def obstore_store(url: str):
    from obstore.store import S3Store

    return S3Store(methods.BUCKET, endpoint=url, access_key_id="bench", secret_access_key="bench",
                   region="us-east-1", virtual_hosted_style_request=False, client_options={"allow_http": True})


def fetch_all(kind, keys, workers, ctx):
    """(bytes fetched) of every key, ``workers`` at a time."""
    from dwhkit.copy import sources

    if kind in ("botocore", "dwhkit (obstore)"):
        client = ctx["boto"]
        force_boto(kind == "botocore")

        def one(k):
            return sum(len(c) for c in sources._s3_chunks(client, sources.SourceFile(methods.BUCKET, k), sources.CHUNK))
    elif kind == "urllib3+sigv4":
        sg = ctx["signed"]

        def one(k):
            return len(sg.get(methods.BUCKET, k))
    elif kind == "obstore raw":
        import obstore
        store = ctx["store"]

        def one(k):
            return len(obstore.get(store, k).bytes())
    else:
        raise ValueError(kind)
    try:
        with ThreadPoolExecutor(workers) as pool:
            return sum(pool.map(one, keys))
    finally:
        force_boto(False)


def part_gets(args, moto, url, sets):
    ctx = {"boto": dwhkit_client(), "store": obstore_store(url)}
    ctx["signed"] = SignedGet(ctx["boto"])
    kinds = ["botocore", "dwhkit (obstore)", "obstore raw", "urllib3+sigv4"]
    for kind in kinds:                                   # warm: connections, models, runtimes
        fetch_all(kind, sets[-1][1][:32], max(args.workers), ctx)
    rows = []
    for label, keys, total in sets:
        tiny = total / len(keys) < 1024
        big = len(keys) == 1
        for workers in ([max(args.workers)] if tiny else [1] if big else args.workers):   # one-line: one bounded pass
            best: dict = {}
            for r in range(1 if tiny else args.repeat):
                for kind in (kinds if r % 2 == 0 else list(reversed(kinds))):
                    m0, c0, t0 = cpu_of(moto), self_cpu(), time.perf_counter()
                    got = fetch_all(kind, keys, workers, ctx)
                    wall = time.perf_counter() - t0
                    c, m = self_cpu() - c0, cpu_of(moto) - m0
                    if got != total:
                        raise RuntimeError(f"{kind}: fetched {got} bytes, expected {total}")
                    if kind not in best or wall < best[kind][0]:
                        best[kind] = (wall, c, m)
            ref = best["botocore"][0]
            for kind in kinds:
                wall, c, m = best[kind]
                rows.append((label, workers, kind, len(keys), wall, c, m, ref))
                print(f"  {label} ×{workers:<2} {kind:15} {len(keys) / wall:8,.0f} GET/s  {wall:6.2f} s  "
                      f"client {1000 * c / len(keys):5.2f} ms/GET  moto {1000 * m / len(keys):5.2f} ms/GET", flush=True)
    print(f"\n### GET cost by client (moto in its own process; best of {args.repeat} (one-line objects: 1 pass), interleaved; "
          f"load average now {load_str()})\n")
    print("| objects | concurrent | client | GET/s | wall s | vs botocore (wall) | client CPU ms / GET | moto CPU ms / GET |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for label, workers, kind, n, wall, c, m, ref in rows:
        print(f"| {label} | {workers} | {kind} | {n / wall:,.0f} | {wall:.2f} | {ref / wall:.2f} | "
              f"{1000 * c / n:.2f} | {1000 * m / n:.2f} |")
    print()


# ------------------------------------------------------------------------------------------ dwhkit end to end
def force_boto(on: bool, _saved={}):  # noqa: B006
    """Switch the loader's obstore GET off (``dwhkit.s3.object_store`` → None: every GET goes through
    botocore, as before issue 17), in this process only; ``on=False`` restores it."""
    from dwhkit import s3 as s3mod

    if "orig" not in _saved:
        _saved["orig"] = s3mod.object_store
    s3mod.object_store = (lambda client, bucket: None) if on else _saved["orig"]


def copy_once(dsn, source, moto):
    conn = dwhkit_connect(dsn)
    cur = conn.cursor()
    cur.execute("TRUNCATE bench_accelerometer")
    conn.commit()
    cur.execute("SELECT pg_backend_pid()")
    backend = psutil.Process(cur.fetchone()[0])
    b0, m0, c0, t0 = cpu_of(backend), cpu_of(moto), self_cpu(), time.perf_counter()
    cur.execute(f"COPY bench_accelerometer FROM '{source}' IAM_ROLE default FORMAT AS JSON 'auto'")
    conn.commit()
    wall = time.perf_counter() - t0
    out = (wall, self_cpu() - c0, cpu_of(moto) - m0, cpu_of(backend) - b0)
    cur.execute("SELECT count(*) FROM bench_accelerometer")
    n = cur.fetchone()[0]
    conn.close()
    return n, out


def part_dwhkit(args, moto, dsn, variants):
    """variants: (label, source url, rows, repeat, patched)."""
    methods.warm()
    best: dict = {}
    for r in range(max(v[3] for v in variants)):
        for label, source, rows, repeat, patched in (variants if r % 2 == 0 else list(reversed(variants))):
            if r >= repeat:
                continue
            force_boto(patched == "botocore")
            workers = label.split("DWH_COPY_WORKERS=")[1].split()[0].rstrip(")") if "DWH_COPY_WORKERS=" in label else None
            saved = os.environ.get("DWH_COPY_WORKERS")
            if workers:
                os.environ["DWH_COPY_WORKERS"] = workers
            try:
                n, out = copy_once(dsn, source, moto)
            finally:
                force_boto(False)
                if workers:
                    os.environ.pop("DWH_COPY_WORKERS") if saved is None else os.environ.update(DWH_COPY_WORKERS=saved)
            print(f"  round {r + 1} {label:48} {n / out[0]:>10,.0f} rows/s  {out[0]:6.2f} s  client cpu {out[1]:5.2f} s"
                  f"  moto cpu {out[2]:5.2f} s  pg cpu {out[3]:5.2f} s", flush=True)
            if n != rows:
                raise RuntimeError(f"{label}: loaded {n:,} rows, expected {rows:,}")
            if label not in best or out[0] < best[label][0]:
                best[label] = out
    one = best[variants[0][0]][0] if "1 object" in variants[0][0] else None
    print(f"\n### dwhkit COPY JSON 'auto' through dwhkit.connect(): many objects vs one object of the same rows "
          f"(best of {args.repeat}, interleaved; load average now {load_str()})\n")
    print("| load | rows/s | seconds | × time of 1 S3 object | client CPU s | moto CPU s | Postgres CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, source, rows, repeat, patched in variants:
        w, c, m, pg = best[label]
        x = f"{w / one:.2f}" if one else ""
        print(f"| {label} | {rows / w:,.0f} | {w:.2f} | {x} | {c:.2f} | {m:.2f} | {pg:.2f} |")
    print()


# ------------------------------------------------------------------------------------------ main
def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.small_objects", description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--objects", type=int, default=1000)
    p.add_argument("--tiny", type=int, default=0, help="also N one-line objects (the 5,000-object case)")
    p.add_argument("--part", choices=["gets", "dwhkit", "all"], default="all")
    p.add_argument("--sets", default="one,many,tiny",
                   help="object sets: one (the whole dataset in one object: GETs part only), many (--objects), tiny (--tiny)")
    p.add_argument("--workers", default="8,16", help="GETs part: concurrent GETs")
    p.add_argument("--copy-workers", default="",
                   help="dwhkit part: also load the N objects with these DWH_COPY_WORKERS values (e.g. 8,16)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/dwhkit-bench-data"))
    args = p.parse_args(argv)
    args.workers = [int(w) for w in args.workers.split(",")]
    from bench.common import start_postgres

    folder = Path(args.data) / f"stedi-{args.rows}"
    if not (folder / "accelerometer-00000.json").exists():
        datasets.build("stedi", folder, args.rows, 1)
    work = Path(tempfile.mkdtemp(prefix="dwhkit-bench-small-", dir="/tmp"))
    work.chmod(0o755)
    moto_proc, url = start_moto(work)
    moto = psutil.Process(moto_proc.pid)
    server = info = None
    try:
        one = datasets.Dataset("stedi", "bench_accelerometer",
                               'CREATE TABLE bench_accelerometer ("user" VARCHAR(256), "timestamp" BIGINT, '
                               "x DOUBLE PRECISION, y DOUBLE PRECISION, z DOUBLE PRECISION)",
                               ["user", "timestamp", "x", "y", "z"], [folder / "accelerometer-00000.json"],
                               folder / "reference.csv", "FORMAT csv", "FORMAT AS JSON 'auto'", args.rows)
        many = datasets.split(one, work / "many", args.objects)
        server, info = start_postgres(work)
        dsn = info.dsn()
        ctxs = {"one": methods.Context(dsn, one, 0, f"s3://{methods.BUCKET}/{KEY_ROOT}/one/"),
                "many": methods.Context(dsn, many, 0, f"s3://{methods.BUCKET}/{KEY_ROOT}/many/")}
        if args.tiny:
            tiny_src = datasets.Dataset(one.name, one.table, one.ddl, one.columns, [work / "tiny-src.json"],
                                        one.reference_csv, one.reference_options, one.copy_options, args.tiny)
            with open(folder / "accelerometer-00000.json", "rb") as src, open(work / "tiny-src.json", "wb") as dst:
                for _ in range(args.tiny):
                    dst.write(src.readline())
            tiny = datasets.split(tiny_src, work / "tiny", args.tiny)
            ctxs["tiny"] = methods.Context(dsn, tiny, 0, f"s3://{methods.BUCKET}/{KEY_ROOT}/tiny/")
        t0 = time.monotonic()
        wanted = set(args.sets.split(","))
        if args.part in ("dwhkit", "all") and "many" in wanted:
            wanted.add("one")                       # the many-vs-one comparison needs the one object
        for name, ctx in ctxs.items():
            methods.prepare(ctx, upload=name in wanted)
        print(f"{WHAT}; {os.cpu_count()} cores; load average: {load_str()}; uploaded "
              f"{sum(len(c.dataset.inputs) for n, c in ctxs.items() if n in wanted):,} objects in {time.monotonic() - t0:.0f} s",
              flush=True)
        if args.part in ("gets", "all"):
            sets = []
            for name in ("one", "many", "tiny"):
                if name in ctxs and name in args.sets.split(","):
                    c = ctxs[name]
                    pre = c.s3_prefix.removeprefix(f"s3://{methods.BUCKET}/")
                    keys = [pre + pth.name for pth in c.dataset.inputs]
                    total = sum(pth.stat().st_size for pth in c.dataset.inputs)
                    avg = total / len(keys)
                    sets.append((f"{len(keys):,} × {avg / 2**20:.0f} MiB" if avg >= 2**20 else
                                 f"{len(keys):,} × {avg / 1024:.0f} KiB" if avg >= 1024 else f"{len(keys):,} × {avg:.0f} B",
                                 keys, total))
            part_gets(args, moto, url, sets)
        if args.part in ("dwhkit", "all"):
            variants = [] if "many" not in args.sets.split(",") else [
                ("1 object, S3", ctxs["one"].s3_prefix, args.rows, args.repeat, False),
                (f"{args.objects:,} objects, S3 (obstore GET)", ctxs["many"].s3_prefix, args.rows, args.repeat, False),
                (f"{args.objects:,} objects, S3 (botocore GET forced)", ctxs["many"].s3_prefix, args.rows,
                 args.repeat, "botocore"),
                *[(f"{args.objects:,} objects, S3 (obstore GET, DWH_COPY_WORKERS={w})", ctxs["many"].s3_prefix,
                   args.rows, args.repeat, False) for w in args.copy_workers.split(",") if w],
                ("1 object, S3 (botocore GET forced)", ctxs["one"].s3_prefix, args.rows, args.repeat, "botocore"),
                ("1 object, file://", ctxs["one"].local_prefix, args.rows, args.repeat, False),
                (f"{args.objects:,} objects, file://", ctxs["many"].local_prefix, args.rows, args.repeat, False)]
            if args.tiny and "tiny" in args.sets.split(","):
                variants += [(f"{args.tiny:,} one-line objects, S3 (obstore GET)", ctxs["tiny"].s3_prefix,
                              args.tiny, 1, False),
                             (f"{args.tiny:,} one-line objects, S3 (botocore GET forced)", ctxs["tiny"].s3_prefix,
                              args.tiny, 1, "botocore"),
                             (f"{args.tiny:,} one-line objects, file://", ctxs["tiny"].local_prefix, args.tiny, 1, False)]
            part_dwhkit(args, moto, dsn, variants)
    finally:
        moto_proc.terminate()
        moto_proc.wait(10)
        if server is not None:
            server.destroy()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
