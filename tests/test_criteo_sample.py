"""The Criteo generator against the real 200-row sample's format and shape."""
from __future__ import annotations

import gzip

import pytest

from dwhkit.warehouses.criteo.sample import CAT_FEATURES, COLUMNS, INT_FEATURES, generate_sample, write_parts

from .conftest import SHARED

REAL = SHARED / "data" / "criteo" / "criteo_sample.txt"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = generate_sample(tmp_path_factory.mktemp("criteo"), rows=20_000, parts=4)
    return sorted((out / "impressions").glob("part-*.tsv.gz"))


def rows_of(paths):
    return [line.split("\t") for p in paths for line in gzip.decompress(p.read_bytes()).decode().splitlines()]


def test_format_is_criteos(generated):
    assert [p.name for p in generated] == [f"part-{i:05d}.tsv.gz" for i in range(4)]
    rows = rows_of(generated)
    assert len(rows) == 20_000 and all(len(r) == 40 for r in rows)
    for r in rows[:2000]:
        assert r[0] in ("0", "1")
        assert all(v == "" or v.lstrip("-").isdigit() for v in r[1:14])
        assert all(v == "" or (len(v) == 8 and int(v, 16) >= 0) for v in r[14:])


def test_deterministic(tmp_path):
    a = write_parts(tmp_path / "a", 1000, 2, seed=3)
    b = write_parts(tmp_path / "b", 1000, 2, seed=3)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert write_parts(tmp_path / "c", 1000, 2, seed=4)[0].read_bytes() != a[0].read_bytes()


@pytest.mark.skipif(not REAL.exists(), reason="../shared/data/criteo is not here")
def test_shape_matches_the_real_sample(generated):
    import pandas as pd
    real = pd.read_csv(REAL)
    assert list(real.columns) == COLUMNS
    gen = pd.DataFrame(rows_of(generated), columns=COLUMNS).replace("", None)
    # click rate within a few points of the real 49/200
    assert abs(gen["label"].astype(int).mean() - real["label"].mean()) < 0.03
    # each column's missing rate within 0.08 of the real one (200 rows: a few points of noise)
    for col in INT_FEATURES + CAT_FEATURES:
        assert abs(gen[col].isna().mean() - real[col].isna().mean()) < 0.08, col
    # integers: heavy tails (max far above the median), I2 alone negative, medians near the real
    ints = gen[INT_FEATURES].astype(float)
    for col in ("I2", "I3", "I5", "I6", "I9"):
        assert ints[col].max() > 20 * max(ints[col].median(), 1), col
    assert (ints.drop(columns="I2") < 0).sum().sum() == 0 and (ints["I2"] == -1).any()
    for col in ("I5", "I6", "I9", "I13"):
        assert 0.5 < (ints[col].median() + 1) / (real[col].median() + 1) < 2, col
    # categories: the same cardinality ordering (C9 tiny, C3 huge), Zipf head on skewed ones
    assert gen["C9"].nunique() <= 3 and gen["C20"].nunique() <= 4
    assert gen["C3"].nunique() > 5000
    top_share = gen["C5"].value_counts(normalize=True).iloc[0]
    assert 0.3 < top_share < 0.9
    # C19, C20, C25, C26 are missing together, as in the real data
    assert (gen["C19"].isna() == gen["C26"].isna()).all()
    assert (real["C19"].isna() == real["C26"].isna()).all()
