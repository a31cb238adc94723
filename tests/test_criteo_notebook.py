"""adtech.ipynb is executed against the criteo warehouse loaded with the default sample."""
from __future__ import annotations

import re

from dwhkit import app
from dwhkit.warehouses.criteo.sample import generate_sample

from .conftest import notebook_text, run_notebook


def test_adtech_notebook_beats_the_base_rate(dwh_config, tmp_path, monkeypatch):
    app.create_tables(dwh_config, "criteo")
    app.run_etl(dwh_config, "criteo", lake=str(generate_sample(tmp_path / "lake")))
    outputs = run_notebook("adtech.ipynb", dwh_config, tmp_path, monkeypatch)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = notebook_text(outputs)
    assert "100,000 impressions" in text and "base rate" in text
    m = re.search(r"log-loss ([\d.]+) vs baseline ([\d.]+); AUC ([\d.]+) vs ([\d.]+)", text)
    assert m, text[-2000:]
    ll, ll_base, auc, auc_base = map(float, m.groups())
    assert ll < ll_base and auc > auc_base + 0.05
    assert any("image/png" in o.get("data", {}) for o in outputs)
    print(f"notebook: log-loss {ll} vs {ll_base}, AUC {auc} vs {auc_base}")
