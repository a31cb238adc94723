"""Deterministic benchmark inputs: STEDI-shaped accelerometer JSON and Criteo-shaped TSV.

Each dataset is written once as the loader's input (JSON lines / TSV, split into ``files``
objects) and once pre-converted to CSV for the reference: Postgres's own COPY FROM STDIN."""
from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Dataset:
    name: str
    table: str
    ddl: str
    columns: list[str]
    inputs: list[Path]          # what dwhkit's COPY reads (uploaded to S3 too)
    reference_csv: Path         # the same rows as CSV, for Postgres's own COPY
    reference_options: str      # options of the reference COPY
    copy_options: str           # the Redshift COPY options dwhkit emulates
    rows: int


def split(ds: Dataset, folder: Path, files: int) -> Dataset:
    """The same rows as ``ds``, cut by lines into ``files`` objects (for many-small-files runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    per = -(-ds.rows // files)
    suffix = ds.inputs[0].suffix
    stem = ds.inputs[0].name.split("-")[0]
    out, k, n, fh = [], 0, 0, None
    for path in ds.inputs:
        with open(path, "rb") as src:
            for line in src:
                if fh is None or n >= per:
                    if fh is not None:
                        fh.close()
                    out.append(folder / f"{stem}-{k:05d}{suffix}")
                    fh = open(out[-1], "wb")
                    k, n = k + 1, 0
                fh.write(line)
                n += 1
    if fh is not None:
        fh.close()
    return Dataset(ds.name, ds.table, ds.ddl, ds.columns, out, ds.reference_csv, ds.reference_options,
                   ds.copy_options, ds.rows)


def repeat(ds: Dataset, folder: Path, times: int) -> Dataset:
    """One object holding ``ds``'s rows ``times`` over (memory runs: same shape, bigger input)."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    target = folder / ds.inputs[0].name
    with open(target, "wb") as out:
        for _ in range(times):
            for path in ds.inputs:
                with open(path, "rb") as src:
                    shutil.copyfileobj(src, out, 16 << 20)
    return Dataset(ds.name, ds.table, ds.ddl, ds.columns, [target], ds.reference_csv, ds.reference_options,
                   ds.copy_options, ds.rows * times)


def build(name: str, folder: Path, rows: int, files: int) -> Dataset:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    return {"stedi": _stedi, "criteo": _criteo}[name](folder, rows, max(1, files))


def _split(rows: int, files: int):
    per = -(-rows // files)
    for i in range(files):
        yield i, range(i * per, min(rows, (i + 1) * per))


def _write(folder: Path, rows: int, files: int, name: str, record) -> tuple[list[Path], Path]:
    """Write ``rows`` records split into ``files`` inputs, and the same rows as the reference CSV.
    ``record()`` returns (input line, CSV fields) for one row."""
    inputs = []
    ref = folder / "reference.csv"
    with open(ref, "w", newline="") as ref_fh:
        w = csv.writer(ref_fh)
        for i, span in _split(rows, files):
            path = folder / name.format(i)
            with open(path, "w") as fh:
                for n in span:
                    line, fields = record(n)
                    fh.write(line + "\n")
                    w.writerow(fields)
            inputs.append(path)
    ref.chmod(0o644)
    return inputs, ref


def _stedi(folder: Path, rows: int, files: int) -> Dataset:
    rng = random.Random(7)
    users = [f"User{i}.Name@test.com" for i in range(500)]

    def record(n):
        rec = {"user": users[n % 500], "timestamp": 1655564376361 + n * 7,
               "x": rng.choice((-1.0, 0.0, 1.0)), "y": round(rng.uniform(-2, 2), 6), "z": rng.choice((-1.0, 0.0))}
        return json.dumps(rec, separators=(",", ":")), [rec["user"], rec["timestamp"], rec["x"], rec["y"], rec["z"]]

    inputs, ref = _write(folder, rows, files, "accelerometer-{:05d}.json", record)
    return Dataset("stedi", "bench_accelerometer",
                   'CREATE TABLE bench_accelerometer ("user" VARCHAR(256), "timestamp" BIGINT, '
                   "x DOUBLE PRECISION, y DOUBLE PRECISION, z DOUBLE PRECISION)",
                   ["user", "timestamp", "x", "y", "z"], inputs, ref, "FORMAT csv", "FORMAT AS JSON 'auto'", rows)


def _criteo(folder: Path, rows: int, files: int) -> Dataset:
    """label, 13 heavy-tailed integers, 26 Zipf-distributed 8-hex categories, many empty fields."""
    rng = random.Random(11)
    vocab = [[f"{rng.getrandbits(32):08x}" for _ in range(2000)] for _ in range(26)]
    weights = [1 / (k + 1) for k in range(2000)]
    cum = []
    total = 0.0
    for wgt in weights:
        total += wgt
        cum.append(total)
    import bisect

    def record(_n):
        fields = ["1" if rng.random() < 0.25 else "0"]
        for _ in range(13):
            fields.append("" if rng.random() < 0.3 else str(int(rng.paretovariate(1.2)) - 1))
        for c in range(26):
            fields.append("" if rng.random() < 0.2 else vocab[c][bisect.bisect(cum, rng.random() * total)])
        return "\t".join(fields), fields

    inputs, ref = _write(folder, rows, files, "day_0-{:05d}.tsv", record)
    cols = ["label"] + [f"i{k}" for k in range(1, 14)] + [f"c{k}" for k in range(1, 27)]
    ddl = ("CREATE TABLE bench_criteo (label SMALLINT, " + ", ".join(f"i{k} BIGINT" for k in range(1, 14)) + ", "
           + ", ".join(f"c{k} VARCHAR(8)" for k in range(1, 27)) + ")")
    return Dataset("criteo", "bench_criteo", ddl, cols, inputs, ref, "FORMAT csv",
                   "FORMAT AS CSV DELIMITER '\\t' EMPTYASNULL", rows)
