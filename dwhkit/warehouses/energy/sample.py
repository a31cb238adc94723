"""A deterministic London smart-meter lake: generated half-hourly readings in the public
dataset's exact format, beside the reference tables they need.

The public readings (``halfhourly_dataset/block_N.csv``: ``LCLid,tstp,energy(kWh/hh)``, timestamps
like ``2012-10-12 00:30:00.0000000``, literal ``Null``) could not be obtained, so they are
generated here from the real households, weather, bank holidays and tariffs in
``../shared/data/smart_meters`` when present (copied into the lake unchanged), or from synthetic
ones in the same formats when not (a fresh clone). Labelled anomalies go to ``anomaly_labels.csv``.
"""
from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

from . import lake

DEFAULT_START = "2012-12-17"     # Christmas, Boxing Day and New Year, then 2013's time-of-use signals
REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "data" / "smart_meters"


def find_reference() -> Path | None:
    """``../shared/data/smart_meters`` beside the repository, if it holds the reference files."""
    ok = all((SHARED_REFERENCE / f).is_file() for f in lake.REFERENCE_FILES)
    return SHARED_REFERENCE if ok else None


def generate_sample(out_dir: Path, households: int = 60, days: int = 60, start: str | date = DEFAULT_START,
                    seed: int = 2013, reference: Path | str | None = "auto", households_per_block: int = 10,
                    anomaly_share: float = 0.15) -> Path:
    """Write a complete lake under ``out_dir`` and return it.

    ``reference="auto"`` uses the real reference files when they are beside the repository;
    ``None`` always synthesises them. ``households_per_block`` applies to synthetic households
    only: real ones stay in the block file ``informations_households.csv`` names for them.
    """
    import numpy as np

    from . import anomalies, readings, reference as ref, weather

    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    first_day = date.fromisoformat(start) if isinstance(start, str) else start
    ref_dir = find_reference() if reference == "auto" else (Path(reference) if reference else None)
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out_dir / lake.READINGS_DIR, ignore_errors=True)
    (out_dir / lake.READINGS_DIR).mkdir()

    if ref_dir is not None:
        for name in lake.REFERENCE_FILES:
            shutil.copyfile(ref_dir / name, out_dir / name)
        chosen = ref.pick_households(ref.real_households(ref_dir), households, rng)
        climate = weather.read_real(ref_dir)
    else:
        (out_dir / lake.ACORN_DETAILS).unlink(missing_ok=True)
        chosen = ref.synth_households(rng, households, households_per_block)
        ref.write_households(out_dir / lake.HOUSEHOLDS, chosen)
        climate = weather.write_synthetic(rng, out_dir, first_day - timedelta(days=1), days + 2)
        last = first_day + timedelta(days=days)
        ref.write_bank_holidays(out_dir / lake.BANK_HOLIDAYS, range(first_day.year, last.year + 1))
        ref.write_tariffs(out_dir / lake.TARIFFS, ref.synth_tariffs(rng, 2013))
    holidays = ref.holiday_dates(out_dir / lake.BANK_HOLIDAYS)
    tariffs = ref.read_tariffs(out_dir / lake.TARIFFS)
    cal = readings.build_calendar(first_day, days, climate, holidays, tariffs)
    stamps = [lake.reading_time(t) for t in cal.times]

    n_anomalous = max(len(anomalies.TYPES), round(anomaly_share * len(chosen))) if days >= 7 else 0
    anomalous = set(rng.choice(len(chosen), size=min(n_anomalous, len(chosen)), replace=False).tolist())
    labels, blocks = [], {}
    for i, row in enumerate(chosen):
        hh = readings.draw_household(rng, row)
        values = readings.simulate(rng, cal, hh)
        first = 48 * int(rng.integers(2, max(3, days // 3))) if rng.random() < 0.12 else 0
        protected = np.zeros(len(values), bool)
        if i in anomalous:
            kind = anomalies.TYPES[len(labels) % len(anomalies.TYPES)]
            label, span = anomalies.inject(rng, kind, values, first, cal.times, hh.lclid)
            labels.append(label)
            protected[span] = True
        bad = anomalies.defects(rng, len(values), protected, first)
        blocks.setdefault(row["file"], []).append(_lines(hh.lclid, stamps, np.round(values, 3), bad))

    for block, chunks in blocks.items():
        with open(out_dir / lake.READINGS_DIR / f"{block}.csv", "w", newline="") as fh:
            fh.write(lake.READINGS_HEADER + "\n")
            for chunk in chunks:
                fh.write(chunk)
    with open(out_dir / lake.LABELS, "w", newline="") as fh:
        fh.write(lake.LABELS_HEADER + "\n")
        for lb in labels:
            fh.write(f"{lb.lclid},{lb.anomaly_type},{lake.plain_time(lb.start)},{lake.plain_time(lb.end)}\n")
    return out_dir


def _lines(lclid: str, stamps: list[str], values, bad) -> str:
    out = []
    for k, stamp in enumerate(stamps):
        if bad.missing[k]:
            continue
        text = lake.NULL if bad.null[k] else f"{values[k]:.3f}"
        line = f"{lclid},{stamp},{text}\n"
        out.append(line)
        if bad.duplicate[k]:
            out.append(line)
    return "".join(out)


def labels_of(lake_dir: Path) -> list[dict]:
    """The injected anomalies of a generated lake (for scoring detection outside the warehouse)."""
    rows = lake.read_table(Path(lake_dir) / lake.LABELS)
    for r in rows:
        r["start_tstp"] = datetime.strptime(r["start_tstp"], "%Y-%m-%d %H:%M:%S")
        r["end_tstp"] = datetime.strptime(r["end_tstp"], "%Y-%m-%d %H:%M:%S")
    return rows
