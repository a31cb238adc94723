"""Labelled anomalies and unlabelled defects, applied to one household's readings.

Anomalies are what detection should find, so each becomes a row of ``anomaly_labels.csv``:
``stuck_zero`` (the meter reads 0.000 for 1–4 days), ``spike`` (one to three half-hours of
4–9 kWh on one day), ``flatline`` (the same non-zero value repeated for 1–3 days) and
``night_usage`` (3–7 nights with heavy load between midnight and 05:00).

Defects are what the warehouse must handle by rule and are not anomalies: late starters (the trial
installed meters over months), outages (missing rows), ``Null`` values and duplicated lines.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

TYPES = ("stuck_zero", "spike", "flatline", "night_usage")


@dataclass(frozen=True)
class Label:
    lclid: str
    anomaly_type: str
    start: datetime
    end: datetime


def inject(rng, kind: str, values: np.ndarray, first: int, times: list[datetime], lclid: str):
    """Write one anomaly of ``kind`` into ``values`` (in place) after half-hour ``first``;
    return its label and the half-hours it spans."""
    n = len(values)
    days_left = (n - first) // 48
    if kind == "spike":
        day = first // 48 + 1 + int(rng.integers(0, max(1, days_left - 2)))
        idx = np.sort(rng.choice(np.arange(day * 48 + 14, day * 48 + 46), size=int(rng.integers(1, 4)), replace=False))
        values[idx] = rng.uniform(4.0, 9.0, len(idx))
        span = np.arange(idx[0], idx[-1] + 1)
    elif kind == "night_usage":
        nights = min(int(rng.integers(3, 8)), max(1, days_left - 2))  # short samples: fewer nights
        day = first // 48 + 1 + int(rng.integers(0, max(1, days_left - nights - 1)))
        span = np.arange(day * 48, (day + nights - 1) * 48 + 10)
        night = np.concatenate([np.arange(d * 48, d * 48 + 10) for d in range(day, day + nights)])
        values[night] += rng.uniform(0.8, 1.8) * rng.lognormal(0, 0.1, len(night))
    else:
        length = 48 * int(rng.integers(1, 5 if kind == "stuck_zero" else 4)) + int(rng.integers(0, 48))
        start = first + 48 + int(rng.integers(0, max(1, n - first - length - 96)))
        span = np.arange(start, min(n, start + length))
        if kind == "stuck_zero":
            values[span] = 0.0
        else:
            level = float(values[start - 1]) if values[start - 1] > 0.05 else 0.3
            values[span] = round(level, 3)
    return Label(lclid, kind, times[span[0]], times[span[-1]]), span


@dataclass
class Defects:
    """Which half-hours a household has no row for, has ``Null`` for, or repeats."""
    missing: np.ndarray
    null: np.ndarray
    duplicate: np.ndarray


def defects(rng, n: int, protected: np.ndarray, first: int) -> Defects:
    """Rows before ``first`` (the meter's installation) are missing; outages avoid ``protected``."""
    missing = np.zeros(n, bool)
    missing[:first] = True
    for _ in range(rng.poisson(n / 48 / 25)):
        length = int(rng.choice([rng.integers(1, 7), rng.integers(6, 49), rng.integers(48, 145)], p=[0.7, 0.25, 0.05]))
        start = int(rng.integers(0, n))
        missing[start:start + length] = True
    missing[protected] = False
    null = (rng.random(n) < 0.0005) & ~missing & ~protected
    duplicate = (rng.random(n) < 0.0003) & ~missing & ~null
    return Defects(missing, null, duplicate)
