"""Households, bank holidays and time-of-use tariffs: read from the real reference files when
``../shared`` is here, synthesised in the same formats (and with the same defects) when not.

Why synthesise: a fresh clone has no reference data, yet the main job must run on a complete lake.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from . import lake

# ACORN categories and their groups, as informations_households.csv pairs them.
ACORN_GROUPS = {**{c: "Affluent" for c in "ABCDE"}, **{c: "Comfortable" for c in "FGHIJ"},
                **{c: "Adversity" for c in "KLMNOPQ"}}
# Rough shares of the real file (ACORN-E and -Q dominate), for the synthetic households.
ACORN_WEIGHTS = {"A": 3, "B": 1, "C": 3, "D": 5, "E": 28, "F": 12, "G": 4, "H": 8, "I": 1, "J": 2,
                 "K": 3, "L": 6, "M": 2, "N": 3, "O": 2, "P": 2, "Q": 15, "U": 1}
TOU_SHARE = 0.2                                   # 1,123 of 5,566 real households were on dToU


# -- households ----------------------------------------------------------------------------
def real_households(reference: Path) -> list[dict]:
    return lake.read_table(reference / lake.HOUSEHOLDS)


def synth_households(rng, n: int, per_block: int) -> list[dict]:
    """``n`` households MAC000001…, sorted into blocks by ACORN like the published file."""
    letters = list(ACORN_WEIGHTS)
    p = [ACORN_WEIGHTS[c] for c in letters]
    total = sum(p)
    picks = rng.choice(letters, size=n, p=[w / total for w in p])
    rows = []
    for i, letter in enumerate(picks):
        acorn = f"ACORN-{letter}"
        group = ACORN_GROUPS.get(letter, acorn)   # ACORN-U is its own group in the real file
        rows.append({"LCLid": f"MAC{i + 1:06d}", "stdorToU": "ToU" if rng.random() < TOU_SHARE else "Std",
                     "Acorn": acorn, "Acorn_grouped": group})
    rows.sort(key=lambda r: (r["Acorn"], r["LCLid"]))
    for i, r in enumerate(rows):
        r["file"] = lake.block_name(i // per_block)
    return rows


def pick_households(rows: list[dict], n: int, rng) -> list[dict]:
    """``n`` of the real households, stratified so time-of-use households are represented."""
    tou = [r for r in rows if r["stdorToU"] == "ToU"]
    std = [r for r in rows if r["stdorToU"] != "ToU"]
    n_tou = min(len(tou), max(1, round(n * 0.25)))
    chosen = [tou[i] for i in rng.choice(len(tou), n_tou, replace=False)]
    chosen += [std[i] for i in rng.choice(len(std), min(len(std), n - n_tou), replace=False)]
    return sorted(chosen, key=lambda r: r["LCLid"])


def write_households(path: Path, rows: list[dict]) -> None:
    lake.write_table(path, lake.HOUSEHOLDS_HEADER.split(","), rows, {"file"})


def acorn_group(row: dict) -> str:
    return row.get("Acorn_grouped") or "ACORN-"


# -- bank holidays ---------------------------------------------------------------------------
def _easter(y: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    lw = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lw) // 451
    n = h + lw - 7 * m + 114
    return date(y, n // 31, n % 31 + 1)


def _first_monday(y: int, m: int) -> date:
    d = date(y, m, 1)
    return d + timedelta(days=(7 - d.weekday()) % 7)


def _last_monday(y: int, m: int) -> date:
    d = date(y, m + 1, 1) - timedelta(days=1)
    return d - timedelta(days=d.weekday())


def _weekday_or_next(d: date, taken: set[date]) -> date:
    while d.weekday() >= 5 or d in taken:
        d += timedelta(days=1)
    return d


def uk_bank_holidays(years: range) -> list[tuple[date, str]]:
    """England and Wales bank holidays by the standing rules (substitute days included)."""
    out = []
    for y in years:
        easter = _easter(y)
        fixed = []
        ny = date(y, 1, 1)
        fixed.append((_weekday_or_next(ny, set()), "New Years Day" if ny.weekday() < 5 else "New Years Day (substitute day)"))
        fixed += [(easter - timedelta(days=2), "Good Friday"), (easter + timedelta(days=1), "Easter Monday"),
                  (_first_monday(y, 5), "Early May bank holiday"), (_last_monday(y, 5), "Spring bank holiday"),
                  (_last_monday(y, 8), "Summer bank holiday")]
        xmas = _weekday_or_next(date(y, 12, 25), set())
        boxing = _weekday_or_next(date(y, 12, 26), {xmas})
        fixed += [(xmas, "Christmas Day"), (boxing, "Boxing Day")]
        out += fixed
    return out


def published_date_text(d: date) -> str:
    """The published file's defect: a date whose day is 12 or less had day and month swapped
    (`2013-01-04` is Easter Monday, 1 April 2013). The warehouse swaps them back by rule."""
    if d.day <= 12:
        return f"{d.year:04d}-{d.day:02d}-{d.month:02d}"
    return d.isoformat()


def write_bank_holidays(path: Path, years: range) -> int:
    rows = sorted(uk_bank_holidays(years), reverse=True)
    with open(path, "w", newline="") as fh:
        fh.write(lake.BANK_HOLIDAYS_HEADER + "\n")
        for d, name in rows:
            fh.write(lake.published_line([published_date_text(d), name]))
    return len(rows)


def holiday_dates(reference_file: Path) -> set[date]:
    """The true dates of a bank-holiday file in the published format (swap undone)."""
    out = set()
    for row in lake.read_table(reference_file):
        y, a, b = (int(x) for x in row["Bank holidays"].split("-"))
        out.add(date(y, b, a) if b <= 12 else date(y, a, b))
    return out


# -- time-of-use tariffs -----------------------------------------------------------------------
def synth_tariffs(rng, year: int = 2013) -> list[tuple[datetime, str]]:
    """A year of half-hourly price signals: Normal, with day-ahead High events (evening peaks,
    ~4.5% of half-hours) and Low events (nights and windy afternoons, ~9.5%) like the 2013 trial."""
    start = datetime(year, 1, 1)
    n = 48 * ((datetime(year + 1, 1, 1) - start).days)
    bands = ["Normal"] * n
    days = n // 48
    for d in rng.choice(days, size=int(days * 0.25), replace=False):
        begin = int(rng.choice([32, 33, 34, 35, 36]))          # 16:00–18:00
        for k in range(begin, min(48, begin + int(rng.integers(4, 9)))):
            bands[d * 48 + k] = "High"
    for d in rng.choice(days, size=int(days * 0.3), replace=False):
        begin = int(rng.choice([0, 2, 4, 22, 24, 26]))
        for k in range(begin, min(48, begin + int(rng.integers(6, 14)))):
            if bands[d * 48 + k] == "Normal":
                bands[d * 48 + k] = "Low"
    return [(start + timedelta(minutes=30 * k), b) for k, b in enumerate(bands)]


def write_tariffs(path: Path, rows: list[tuple[datetime, str]]) -> None:
    with open(path, "w", newline="") as fh:
        fh.write(lake.TARIFFS_HEADER + "\n")
        for ts, band in rows:
            fh.write(lake.published_line([lake.quoted(lake.plain_time(ts)), band]))


def read_tariffs(path: Path) -> dict[datetime, str]:
    return {datetime.strptime(r["TariffDateTime"], "%Y-%m-%d %H:%M:%S"): r["Tariff"] for r in lake.read_table(path)}
