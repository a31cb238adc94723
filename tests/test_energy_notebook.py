"""energy.ipynb is executed against a loaded energy warehouse so it cannot rot, and its scores
are checked: each detector finds labelled anomalies and the forecast beats the naive one."""
from __future__ import annotations

import re
import time

import pytest

from dwhkit import app
from dwhkit.warehouses.energy.sample import generate_sample

from .conftest import ROOT


@pytest.fixture(scope="session")
def energy_lake(tmp_path_factory):
    return generate_sample(tmp_path_factory.mktemp("energy-notebook"))


def execute_notebook(config, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    c = config.cluster
    cfg = tmp_path / "nb.cfg"
    cfg.write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {c.host}\nport = {c.port}\n"
                   f"db_name = {c.db_name}\ndb_user = {c.db_user}\n")
    monkeypatch.setenv("DWH_CONFIG", str(cfg))
    monkeypatch.setenv("DWH_CLUSTER_DB_PASSWORD", str(c.db_password))
    nb = nbformat.read(ROOT / "energy.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def text_of(outputs) -> str:
    return "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)


def test_energy_notebook_runs_and_scores(dwh_config, energy_lake, tmp_path, monkeypatch):
    app.create_tables(dwh_config, warehouse="energy")
    app.run_etl(dwh_config, warehouse="energy", lake=str(energy_lake))
    started = time.perf_counter()
    outputs = execute_notebook(dwh_config, tmp_path, monkeypatch)
    seconds = time.perf_counter() - started
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 4
    text = text_of(outputs)
    for method in ("kmeans", "dbscan", "isolation_forest"):
        assert method in text
    assert "gradient boosting" in text and "naive (yesterday)" in text
    ratio = float(re.search(r"error relative to naive: ([0-9.]+)", text).group(1))
    assert ratio < 1.0, ratio                    # the model beats repeating yesterday
    assert seconds < 90, seconds
