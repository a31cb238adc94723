"""energy.ipynb is executed against a loaded energy warehouse so it cannot rot, and its scores
are checked: each detector finds labelled anomalies and the forecast beats the naive one."""
from __future__ import annotations

import re

import pytest

from dwhkit import app
from dwhkit.warehouses.energy.sample import generate_sample

from .conftest import notebook_text, run_notebook


@pytest.fixture(scope="session")
def energy_lake(tmp_path_factory):
    return generate_sample(tmp_path_factory.mktemp("energy-notebook"))


def test_energy_notebook_runs_and_scores(dwh_config, energy_lake, tmp_path, monkeypatch):
    app.create_tables(dwh_config, warehouse="energy")
    app.run_etl(dwh_config, warehouse="energy", lake=str(energy_lake))
    outputs = run_notebook("energy.ipynb", dwh_config, tmp_path, monkeypatch)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 4
    text = notebook_text(outputs)
    for method in ("kmeans", "dbscan", "isolation_forest"):
        assert method in text
    assert "gradient boosting" in text and "naive (yesterday)" in text
    ratio = float(re.search(r"error relative to naive: ([0-9.]+)", text).group(1))
    assert ratio < 1.0, ratio                    # the model beats repeating yesterday
