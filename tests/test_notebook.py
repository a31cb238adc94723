"""test.ipynb is executed against a loaded warehouse so it cannot rot."""
from __future__ import annotations

import pytest

from dwhkit import app

from .conftest import ROOT


def test_notebook_runs_on_loaded_warehouse(dwh_config, stedi_sample, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    app.create_tables(dwh_config)
    app.run_etl(dwh_config, lake=str(stedi_sample))
    c = dwh_config.cluster
    cfg = tmp_path / "nb.cfg"
    cfg.write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {c.host}\nport = {c.port}\n"
                   f"db_name = {c.db_name}\ndb_user = {c.db_user}\n")
    monkeypatch.setenv("DWH_CONFIG", str(cfg))
    monkeypatch.setenv("DWH_CLUSTER_DB_PASSWORD", str(c.db_password))
    nb = nbformat.read(ROOT / "test.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = {i: cell.get("outputs", []) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"}
    errors = [o for outs in outputs.values() for o in outs if o.get("output_type") == "error"]
    assert not errors
    text = "".join(str(o.get("data", {}).get("text/plain", "")) for outs in outputs.values() for o in outs)
    assert "staging_customer" in text and "consented" in text
    assert any("image/png" in o.get("data", {}) for outs in outputs.values() for o in outs)
