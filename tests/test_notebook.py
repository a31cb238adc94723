"""test.ipynb is executed against a loaded warehouse so it cannot rot."""
from __future__ import annotations

from dwhkit import app

from .conftest import notebook_text, run_notebook


def test_notebook_runs_on_loaded_warehouse(dwh_config, stedi_sample, tmp_path, monkeypatch):
    app.create_tables(dwh_config)
    app.run_etl(dwh_config, lake=str(stedi_sample))
    outputs = run_notebook("test.ipynb", dwh_config, tmp_path, monkeypatch)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = notebook_text(outputs)
    assert "staging_customer" in text and "consented" in text and "no research consent" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)
