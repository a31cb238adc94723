"""JSON-lines decoders side by side: the fast path's pyarrow.json (reference) against msgspec, polars,
pysimdjson and orjson, on the same ~1 MiB blocks of STEDI-shaped rows, in one process, interleaved.

    python -m bench.candidates                    # 1 M rows, best of 3, 1 and 2 threads
    python -m bench.candidates --rows 200000 --repeat 5 --only pyarrow,msgspec-array
    python -m bench.semantics                     # what each decoder does with the inputs the exact path cares about

Each candidate turns a block of JSON lines into the five typed pyarrow arrays the fast path encodes
(``FastPlan.encode``: binary COPY), so the figures are comparable to the reference's parse. The row
``dwhkit FastPlan.run`` is the whole current per-block work (parse + checks + binary encoding).
CPU seconds are the process's user+system time (all threads) per 1 M rows; "2 threads" runs the
blocks on a 2-thread pool: a decoder that holds the GIL does not scale (x2 ≈ 1.0).
Polars is pinned to one thread of its own (POLARS_MAX_THREADS=1): the loader runs its own pool.
"""
from __future__ import annotations

import argparse
import gc
import io
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from operator import attrgetter
from pathlib import Path

os.environ.setdefault("POLARS_MAX_THREADS", "1")

from bench.common import pin_dwhkit  # noqa: E402

WHAT = pin_dwhkit()

import pyarrow as pa  # noqa: E402

from bench import datasets  # noqa: E402

COLS = ["user", "timestamp", "x", "y", "z"]
TYPES = [pa.string(), pa.int64(), pa.float64(), pa.float64(), pa.float64()]
BLOCK = 1 << 20


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def blocks_of(path: Path, size: int = BLOCK) -> list[bytes]:
    """Whole-line blocks of about ``size`` bytes, as the loader's ``_blocks`` cuts them."""
    data = path.read_bytes()
    out, i = [], 0
    while i < len(data):
        j = data.rfind(b"\n", i, i + size) + 1
        if j <= i:
            j = data.find(b"\n", i + size) + 1 or len(data)
        out.append(data[i:j])
        i = j
    return out


def _wrap(block: bytes) -> bytes:
    """A block of JSON lines as one JSON array (valid only when no line is blank)."""
    return b"[" + block.rstrip(b"\n").replace(b"\n", b",") + b"]"


def _dict_columns(dicts) -> list:
    return [pa.array([d.get(k) for d in dicts], t) for k, t in zip(COLS, TYPES)]


# ------------------------------------------------------------------------------------------ decoders
def make_decoders() -> dict:
    dec = {}

    import pyarrow.json as pj
    schema = pa.schema(list(zip(COLS, TYPES)))
    popts = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")

    def pyarrow_json(block):
        t = pj.read_json(io.BytesIO(block), read_options=pj.ReadOptions(use_threads=False, block_size=len(block) + 1),
                         parse_options=popts)
        return [t.column(c).combine_chunks() for c in COLS]
    dec["pyarrow.json (current)"] = pyarrow_json

    from dwhkit.copy.fastpath import FastPlan, _Col
    plan = FastPlan("JSON", [_Col("user", "str", "varchar", 256), _Col("timestamp", "int", "int8"),
                             _Col("x", "float", "float8"), _Col("y", "float", "float8"),
                             _Col("z", "float", "float8")], None)
    dec["dwhkit FastPlan.run (parse+check+encode)"] = plan.run

    def encode_only(block, _cache={}):      # noqa: B006 - encoding of pre-parsed arrays, for the table
        arrays = _cache.get(id(block))
        if arrays is None:
            arrays = _cache[id(block)] = pyarrow_json(block)
        return plan.encode(arrays)
    dec["  (binary encode alone, pre-parsed)"] = encode_only

    try:
        import msgspec

        class Rec(msgspec.Struct, gc=False):
            user: str | None = None
            timestamp: int | None = None
            x: float | None = None
            y: float | None = None
            z: float | None = None

        many = msgspec.json.Decoder(list[Rec])
        one = msgspec.json.Decoder(Rec)
        get = attrgetter(*COLS)

        def struct_columns(recs):
            if not recs:
                return [pa.array([], t) for t in TYPES]
            return [pa.array(col, t) for col, t in zip(zip(*map(get, recs)), TYPES)]

        dec["msgspec list[Struct] (block as array)"] = lambda b: struct_columns(many.decode(_wrap(b)))
        dec["msgspec Struct per line"] = lambda b: struct_columns([one.decode(x) for x in b.splitlines()])
        dec["  (msgspec list[Struct] decode alone, no columns)"] = lambda b: many.decode(_wrap(b))
    except ImportError:
        pass

    try:
        import polars as pl
        pschema = {"user": pl.String, "timestamp": pl.Int64, "x": pl.Float64, "y": pl.Float64, "z": pl.Float64}

        def polars_ndjson(block):
            t = pl.read_ndjson(io.BytesIO(block), schema=pschema).to_arrow()
            return [t.column(c).combine_chunks().cast(ty) for c, ty in zip(COLS, TYPES)]
        dec["polars.read_ndjson"] = polars_ndjson
    except ImportError:
        pass

    try:
        import simdjson
        parser = simdjson.Parser()

        def simdjson_lines(block):
            p = simdjson.Parser()         # a Parser is not thread-safe: one per call
            return _dict_columns([p.parse(x, True) for x in block.splitlines()])

        def simdjson_array(block):
            return _dict_columns(simdjson.Parser().parse(_wrap(block), True))
        del parser
        dec["pysimdjson per line (recursive)"] = simdjson_lines
        dec["pysimdjson block as array"] = simdjson_array
    except ImportError:
        pass

    try:
        import orjson
        dec["orjson per line"] = lambda b: _dict_columns([orjson.loads(x) for x in b.splitlines()])
        dec["orjson block as array"] = lambda b: _dict_columns(orjson.loads(_wrap(b)))
        dec["  (orjson block as array, decode alone, no columns)"] = lambda b: orjson.loads(_wrap(b))
    except ImportError:
        pass
    return dec


def check_same(decs, block) -> dict:
    """Every decoder must give the reference's arrays on a clean block (else its figure is void)."""
    ref = decs["pyarrow.json (current)"](block)
    bad = {}
    for name, fn in decs.items():
        if "FastPlan" in name or "encode" in name or "alone" in name:
            continue
        got = fn(block)
        if not all(a.equals(b) for a, b in zip(ref, got)):
            bad[name] = "differs from pyarrow.json"
    return bad


def gil_free(fn, big: bytes, calls: int = 5) -> float:
    """Share of a call's wall time during which another Python thread could run: a sleeper thread
    ticks every 0.5 ms (it needs the GIL to tick); its tick rate during ``fn(big)`` is compared with
    its rate while the main thread just sleeps. ~1.0: the decoder runs without the GIL (parallel
    parser threads possible); ~0.1-0.3: Python bytecode, the GIL handed over every switch interval;
    ~0: one long C call holding the GIL. Independent of other processes' load, unlike wall-clock scaling."""
    import threading

    def rate(work) -> float:
        ticks = [0]
        stop = threading.Event()

        def sleeper():
            while not stop.is_set():
                time.sleep(0.0005)
                ticks[0] += 1
        th = threading.Thread(target=sleeper, daemon=True)
        th.start()
        time.sleep(0.01)
        ticks[0] = 0
        t0 = time.perf_counter()
        work()
        wall = time.perf_counter() - t0
        n = ticks[0]
        stop.set()
        th.join()
        return n / wall
    fn(big)                                              # warm
    base = max(rate(lambda: time.sleep(0.2)) for _ in range(2))
    got = max(rate(lambda: fn(big)) for _ in range(calls))
    return min(1.0, got / base) if base else float("nan")


def run_once(fn, blocks, threads) -> tuple[float, float]:
    gc.collect()
    c0, t0 = cpu(), time.perf_counter()
    if threads == 1:
        for b in blocks:
            fn(b)
    else:
        with ThreadPoolExecutor(threads) as pool:
            for _ in pool.map(fn, blocks):
                pass
    return time.perf_counter() - t0, cpu() - c0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.candidates", description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--only", default="", help="comma-separated name prefixes")
    p.add_argument("--block-size", type=int, default=BLOCK, help="bytes per block (the loader: 1 MiB)")
    p.add_argument("--no-gil", action="store_true", help="skip the GIL probe (~1 s per decoder)")
    p.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/dwhkit-bench-data"))
    args = p.parse_args(argv)
    folder = Path(args.data) / f"stedi-{args.rows}"
    if not (folder / "accelerometer-00000.json").exists():
        datasets.build("stedi", folder, args.rows, 1)
    blocks = blocks_of(folder / "accelerometer-00000.json", args.block_size)
    decs = make_decoders()
    if args.only:
        keep = [s.strip() for s in args.only.split(",")]
        decs = {k: v for k, v in decs.items() if k.startswith("pyarrow") or any(k.startswith(s) for s in keep)}
    bad = check_same(decs, blocks[0])
    threads = [int(t) for t in args.threads.split(",")]
    for name in decs:                      # warm-up (imports, caches) on one block; the encode-alone row
        for b in (blocks if "encode alone" in name else blocks[:1]):   # parses every block beforehand
            decs[name](b)
    big = blocks_of(folder / "accelerometer-00000.json", 16 << 20)[0]
    free = {}
    for name, fn in decs.items():
        if "encode alone" not in name and not args.no_gil:
            free[name] = gil_free(fn, big)
            print(f"  GIL free during {name}: {100 * free[name]:.0f} %", flush=True)
    best: dict = {}
    least: dict = {}
    load0 = os.getloadavg()
    t_start = time.monotonic()
    for r in range(args.repeat):
        names = list(decs) if r % 2 == 0 else list(reversed(decs))   # interleaved, alternating order
        for name in names:
            for th in threads:
                wall, c = run_once(decs[name], blocks, th)
                key = (name, th)
                if key not in best or wall < best[key][0]:
                    best[key] = (wall, c)
                least[key] = min(c, least.get(key, c))
                print(f"  round {r + 1} {name:52} {th} thr {args.rows / wall:>12,.0f} rows/s  cpu {c:6.2f} s", flush=True)
    load1 = os.getloadavg()
    scale = 1_000_000 / args.rows
    ref1 = best[("pyarrow.json (current)", 1)][0]
    print(f"\n### JSON-lines decoders: {args.rows:,} STEDI rows in {len(blocks)} blocks of ~{args.block_size >> 10} KiB; best of "
          f"{args.repeat}, interleaved; {os.cpu_count()} cores; load average {load0[0]:.2f} before, {load1[0]:.2f} after "
          f"({time.monotonic() - t_start:.0f} s); {WHAT}\n")
    cref = least[("pyarrow.json (current)", 1)]
    head = ("| decoder → 5 typed Arrow columns | CPU s / 1 M rows (1 thread) | CPU vs pyarrow.json | rows/s (1 thread) |"
            " rows/s vs pyarrow.json |")
    sep = "|---|---:|---:|---:|---:|"
    if 2 in threads:
        head += " rows/s (2 threads) | 2-thread scaling |"
        sep += "---:|---:|"
    head += " GIL free during the call | releases the GIL? |"
    sep += "---:|---|"
    print(head)
    print(sep)
    for name in decs:
        w1, _ = best[(name, 1)]
        c1 = least[(name, 1)]
        line = (f"| {name} | {c1 * scale:.2f} | {c1 / cref:.2f} | {args.rows / w1:,.0f} | {ref1 / w1:.2f} |")
        if 2 in threads:
            w2, _ = best[(name, 2)]
            line += f" {args.rows / w2:,.0f} | {w1 / w2:.2f} |"
        g = free.get(name)
        if g is None:
            line += " | |"
        else:
            line += f" {100 * g:.0f} % | {'yes' if g >= 0.5 else ('no' if g < 0.2 else 'partly')} |"
        print(line + (f" ({bad[name]})" if name in bad else ""))
    print("\nCPU s: the least process CPU (user+sys, all threads) seen over the runs, per 1 M rows; it includes "
          "building the Arrow columns from Python objects where the decoder yields objects. rows/s: best wall time "
          "(noisy on a shared machine). 2-thread scaling: wall(1 thread)/wall(2 threads), capped by other processes' "
          "load. 'GIL free': see gil_free(), best of 5 calls on a 16 MiB block (≥ 50 %: yes, < 20 %: no); "
          "less sensitive to load than the scaling, and it decides the verdict.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
