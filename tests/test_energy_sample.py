"""The generated lake is faithful to the public dataset's files and deterministic."""
from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest

from dwhkit.warehouses.energy import lake
from dwhkit.warehouses.energy.anomalies import TYPES
from dwhkit.warehouses.energy.reference import holiday_dates, published_date_text, uk_bank_holidays
from dwhkit.warehouses.energy.sample import find_reference, generate_sample

READING = re.compile(r"^MAC\d{6},\d{4}-\d{2}-\d{2} \d{2}:(00|30):00\.0000000,(Null|\d+\.\d{3})$")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    return generate_sample(tmp_path_factory.mktemp("synthetic"), households=20, days=14, reference=None)


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + p.read_bytes())
    return h.hexdigest()


def test_readings_format(synthetic):
    blocks = sorted((synthetic / lake.READINGS_DIR).glob("block_*.csv"))
    assert [b.name for b in blocks] == [f"block_{i}.csv" for i in range(2)]       # 10 households a block
    nulls = 0
    for block in blocks:
        lines = block.read_text().split("\n")
        assert lines[0] == "LCLid,tstp,energy(kWh/hh)" and lines[-1] == ""
        for line in lines[1:-1]:
            assert READING.match(line), line
            nulls += line.endswith(",Null")
    assert nulls > 0


def test_block_split_follows_household_file(synthetic):
    homes = {r["LCLid"]: r["file"] for r in lake.read_table(synthetic / lake.HOUSEHOLDS)}
    for block in (synthetic / lake.READINGS_DIR).glob("*.csv"):
        with open(block, newline="") as fh:
            ids = {row["LCLid"] for row in csv.DictReader(fh)}
        assert ids and all(homes[i] == block.stem for i in ids)


def test_readings_realism(synthetic):
    """Half-hour grid, gaps and duplicates present, ordered by household then time."""
    rows = []
    for block in sorted((synthetic / lake.READINGS_DIR).glob("*.csv")):
        with open(block, newline="") as fh:
            rows += [(r["LCLid"], r["tstp"], r["energy(kWh/hh)"]) for r in csv.DictReader(fh)]
    keys = [(a, b) for a, b, _ in rows]
    assert len(keys) > len(set(keys))                          # duplicated lines
    assert len(set(keys)) < 20 * 14 * 48                       # outages and late installations
    values = [float(v) for _, _, v in rows if v != "Null"]
    assert 0.1 < sum(values) / len(values) < 0.6               # kWh per half-hour, like London homes
    assert max(values) > 4                                     # the injected spikes


def test_labels(synthetic):
    with open(synthetic / lake.LABELS, newline="") as fh:
        labels = list(csv.DictReader(fh))
    assert list(labels[0]) == lake.LABELS_HEADER.split(",")
    assert {r["anomaly_type"] for r in labels} == set(TYPES)
    assert all(r["start_tstp"] <= r["end_tstp"] for r in labels)


def test_reference_files_in_published_format(synthetic):
    for name, header in [(lake.HOUSEHOLDS, lake.HOUSEHOLDS_HEADER), (lake.BANK_HOLIDAYS, lake.BANK_HOLIDAYS_HEADER),
                         (lake.TARIFFS, lake.TARIFFS_HEADER),
                         (lake.WEATHER_HOURLY, ",".join(lake.WEATHER_HOURLY_COLUMNS)),
                         (lake.WEATHER_DAILY, ",".join(lake.WEATHER_DAILY_COLUMNS))]:
        data = (synthetic / name).read_bytes()
        first, second = data.split(b"\n")[:2]
        assert first.decode() == header, name
        assert second.endswith(b'\r"'), name                  # the published CR inside the last quote
    assert b"NULL" in (synthetic / lake.WEATHER_HOURLY).read_bytes()
    assert b'"Normal\r"' in (synthetic / lake.TARIFFS).read_bytes()


def test_bank_holiday_dates_published_swapped():
    easter_monday_2013 = [d for d, n in uk_bank_holidays(range(2013, 2014)) if n == "Easter Monday"][0]
    assert easter_monday_2013.isoformat() == "2013-04-01"
    assert published_date_text(easter_monday_2013) == "2013-01-04"


def test_deterministic(tmp_path):
    a = generate_sample(tmp_path / "a", households=8, days=8, reference=None, seed=7)
    b = generate_sample(tmp_path / "b", households=8, days=8, reference=None, seed=7)
    c = generate_sample(tmp_path / "c", households=8, days=8, reference=None, seed=8)
    assert digest(a) == digest(b) != digest(c)
    again = generate_sample(tmp_path / "a", households=8, days=8, reference=None, seed=7)
    assert digest(again) == digest(b)                          # regenerating in place leaves no stale blocks


@pytest.mark.skipif(find_reference() is None, reason="../shared/data/smart_meters is not here")
def test_real_reference_copied_and_used(tmp_path):
    ref = find_reference()
    out = generate_sample(tmp_path / "real", households=12, days=7)
    for name in lake.REFERENCE_FILES:
        assert (out / name).read_bytes() == (ref / name).read_bytes()
    homes = {r["LCLid"]: r for r in lake.read_table(ref / lake.HOUSEHOLDS)}
    blocks = list((out / lake.READINGS_DIR).glob("*.csv"))
    seen = set()
    for block in blocks:
        with open(block, newline="") as fh:
            for row in csv.DictReader(fh):
                assert homes[row["LCLid"]]["file"] == block.stem   # the real household's own block
                seen.add(row["LCLid"])
    assert len(seen) == 12 and any(homes[i]["stdorToU"] == "ToU" for i in seen)
    assert len(holiday_dates(ref / lake.BANK_HOLIDAYS)) == 25
