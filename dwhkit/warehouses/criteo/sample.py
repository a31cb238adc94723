"""A deterministic Criteo display-advertising sample of any size, as gzip'd TSV part files.

Why generated: the real data (45M rows) is not redistributable inside the repo and a fresh clone
has only this code. The shape follows the public format exactly (tab-separated, no header,
``label``, 13 integer counts ``I1..I13``, 26 hashed categories ``C1..C26`` as 8 hex digits, empty
fields for missing values), and the skew follows the real 200-row sample in
``shared/data/criteo``: its per-column missing rates (including C19/C20/C25/C26 missing together),
heavy-tailed integer medians and maxima, Zipf-distributed categories whose cardinality ranges
from 3 (C9) to millions (C3, C12, C16, C21), and ~25 % clicks. Labels come from a hidden logistic
model over a few features, so a click model has real signal to find.
"""
from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

INT_FEATURES = [f"I{i}" for i in range(1, 14)]
CAT_FEATURES = [f"C{i}" for i in range(1, 27)]
COLUMNS = ["label", *INT_FEATURES, *CAT_FEATURES]
KEY_PREFIX = "impressions/part-"     # the files: <out>/impressions/part-00000.tsv.gz, …
POSITIVE_RATE = 0.245                # 49 of the real sample's 200 rows are clicks

# integer feature: (missing rate, median, log-spread); I2 alone takes -1 (as in the real data)
INT_SPEC = {
    "I1": (0.45, 1, 1.1), "I2": (0.00, 3, 1.8), "I3": (0.17, 6, 1.6), "I4": (0.18, 5, 1.0),
    "I5": (0.03, 2066, 1.8), "I6": (0.26, 37, 1.5), "I7": (0.05, 4, 1.4), "I8": (0.00, 7, 0.9),
    "I9": (0.05, 45, 1.3), "I10": (0.45, 0, 0.7), "I11": (0.05, 1, 1.0), "I12": (0.78, 0, 0.8),
    "I13": (0.18, 5, 1.1),
}
# categorical feature: (vocabulary size, Zipf exponent); cardinalities of the full dataset,
# capped — a sample never reaches millions of distinct values anyway
CAT_SPEC = {
    "C1": (1460, 1.3), "C2": (583, 1.1), "C3": (200_000, 0.9), "C4": (200_000, 0.95), "C5": (305, 1.6),
    "C6": (24, 1.5), "C7": (12517, 1.0), "C8": (633, 1.5), "C9": (3, 2.5), "C10": (93145, 1.05),
    "C11": (5683, 1.0), "C12": (200_000, 0.9), "C13": (3194, 1.0), "C14": (27, 1.2), "C15": (14992, 1.0),
    "C16": (200_000, 0.9), "C17": (10, 1.3), "C18": (5652, 1.05), "C19": (2173, 1.3), "C20": (4, 0.8),
    "C21": (200_000, 0.9), "C22": (18, 1.5), "C23": (15, 1.3), "C24": (50_000, 1.0), "C25": (105, 1.3),
    "C26": (50_000, 1.05),
}
# columns missing together, with the rate the real sample shows
CAT_MISSING_GROUPS = [
    (("C19", "C20", "C25", "C26"), 0.41),
    (("C3", "C4", "C12", "C16", "C21", "C24"), 0.04),
    (("C22",), 0.80),
    (("C6",), 0.16),
]
# features that move the hidden click probability (per-value effects of this spread)
CAT_SIGNAL = {"C1": 0.5, "C2": 0.4, "C5": 0.6, "C6": 0.5, "C8": 0.4, "C14": 0.6, "C17": 0.7,
              "C23": 0.8, "C25": 0.5, "C13": 0.3}


def _zipf_ranks(rng: np.random.Generator, vocab: int, a: float, n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, vocab + 1, dtype=float) ** a
    cdf = np.cumsum(weights)
    return np.searchsorted(cdf, rng.random(n) * cdf[-1]).astype(np.int64)


def _hex_of(feature: str, ranks: np.ndarray) -> np.ndarray:
    """Rank → an 8-hex-digit 'hash', fixed per feature (a multiplicative hash, collision-free
    within a feature since the multiplier is odd)."""
    salt = zlib.crc32(feature.encode())      # features differ by a random offset, not a small one
    return ((ranks * 2654435761 + salt) & 0xFFFFFFFF).astype(np.uint32)


def _value_effect(feature: str, ranks: np.ndarray, spread: float) -> np.ndarray:
    """A fixed pseudo-random effect per (feature, value): the hidden truth the model learns."""
    h = (ranks * 0x5DEECE66D + len(feature) * 7919 + int(feature[1:]) * 104729) % 10007
    return (h / 10007.0 - 0.5) * 2 * spread * math.sqrt(3)


def generate_frame(rows: int, seed: int = 2014) -> dict[str, np.ndarray]:
    """Columns as arrays: integers as float with NaN for missing, categories as uint32 with a
    separate missing mask under ``<col>_missing``."""
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {}
    logit = np.zeros(rows)
    for col, (missing, median, spread) in INT_SPEC.items():
        vals = np.floor(np.exp(rng.normal(math.log(median + 1), spread, rows)) - 1).clip(0)
        if col == "I2":
            vals[rng.random(rows) < 0.06] = -1
        vals[rng.random(rows) < missing] = np.nan
        out[col] = vals
    logit += 0.35 * np.nan_to_num(np.log1p(out["I1"].clip(0)), nan=-0.6)
    logit += 0.25 * np.nan_to_num(np.log1p(out["I7"].clip(0)), nan=0.0) - 0.12 * np.log1p(out["I2"].clip(0))
    logit += 0.3 * np.nan_to_num(np.log1p(out["I11"].clip(0)), nan=0.0)
    missing = {c: np.zeros(rows, dtype=bool) for c in CAT_FEATURES}
    for cols, rate in CAT_MISSING_GROUPS:
        mask = rng.random(rows) < rate
        for c in cols:
            missing[c] |= mask
    for col, (vocab, a) in CAT_SPEC.items():
        ranks = _zipf_ranks(rng, vocab, a, rows)
        if col in CAT_SIGNAL:
            logit += np.where(missing[col], 0.0, _value_effect(col, ranks, CAT_SIGNAL[col]))
        out[col] = _hex_of(col, ranks)
        out[f"{col}_missing"] = missing[col]
    # intercept chosen (by bisection, on this data) so the click rate is POSITIVE_RATE
    lo, hi = -10.0, 10.0
    for _ in range(50):
        mid = (lo + hi) / 2
        if (1 / (1 + np.exp(-(logit + mid)))).mean() < POSITIVE_RATE:
            lo = mid
        else:
            hi = mid
    p = 1 / (1 + np.exp(-(logit + lo)))
    out["label"] = (rng.random(rows) < p).astype(np.int8)
    return out


def _lines(frame: dict[str, np.ndarray], start: int, stop: int) -> list[str]:
    cols = [frame["label"][start:stop].astype(str).tolist()]
    for c in INT_FEATURES:
        v = frame[c][start:stop]
        cols.append(["" if x != x else str(int(x)) for x in v.tolist()])
    for c in CAT_FEATURES:
        v, m = frame[c][start:stop].tolist(), frame[f"{c}_missing"][start:stop].tolist()
        cols.append(["" if miss else f"{x:08x}" for x, miss in zip(v, m)])
    return ["\t".join(fields) for fields in zip(*cols)]


def write_parts(out_dir: Path, rows: int, parts: int, seed: int = 2014, first_part: int = 0) -> list[Path]:
    """Write ``parts`` gzip'd TSV files of ~rows/parts lines each (part-NNNNN.tsv.gz, numbered from
    ``first_part``); gzip mtime 0 so the bytes are identical on every run."""
    frame = generate_frame(rows, seed)
    folder = Path(out_dir) / KEY_PREFIX.split("/")[0]
    folder.mkdir(parents=True, exist_ok=True)
    bounds = np.linspace(0, rows, parts + 1).astype(int)
    paths = []
    for i in range(parts):
        path = folder / f"part-{first_part + i:05d}.tsv.gz"
        body = "\n".join(_lines(frame, bounds[i], bounds[i + 1]))
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
            fh.write((body + "\n").encode() if body else b"")
        paths.append(path)
    return paths


def generate_sample(out_dir: Path, rows: int = 100_000, parts: int = 10, seed: int = 2014) -> Path:
    """The warehouse's default landing sample: ``rows`` impressions in ``parts`` files."""
    write_parts(out_dir, rows, parts, seed)
    return Path(out_dir)
