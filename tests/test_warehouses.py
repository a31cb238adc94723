"""Warehouses are peers: one folder each, one schema each, side by side in one database."""
from __future__ import annotations

import dwhkit
from dwhkit import app
from dwhkit.warehouses import get_warehouse, warehouse_names
from dwhkit.warehouses.energy.sample import generate_sample as energy_sample


def test_every_folder_is_a_warehouse():
    assert {"stedi", "energy", "criteo"} <= set(warehouse_names())
    for name in warehouse_names():
        wh = get_warehouse(name)
        assert wh.name == name and wh.tables and wh.landings and wh.checks and wh.generate_sample


def test_two_warehouses_with_a_same_named_table_coexist(dwh_config, stedi_sample, tmp_path):
    """STEDI and energy both have a dim_time; each lives in its warehouse's schema."""
    app.create_tables(dwh_config, "stedi")
    app.create_tables(dwh_config, "energy")
    stedi = app.run_etl(dwh_config, "stedi", lake=str(stedi_sample))
    energy = app.run_etl(dwh_config, "energy", lake=str(energy_sample(tmp_path / "energy", households=8, days=7)))
    assert stedi["passed"] and energy["passed"]
    rows = {r["table"]: r["rows"] for r in stedi["tables"]}
    conn = dwhkit.connect(dwh_config)
    cur = conn.cursor()
    cur.execute("SELECT table_schema, COUNT(*) FROM information_schema.tables WHERE table_name = 'dim_time' "
                "GROUP BY 1 ORDER BY 1")
    assert cur.fetchall() == [("energy", 1), ("public", 1)]
    cur.execute("SELECT COUNT(*) FROM dim_time")              # the configured warehouse's (stedi) table
    assert cur.fetchone()[0] == rows["dim_time"]
    conn.close()
    app.create_tables(dwh_config, "energy")                   # rebuilding energy leaves STEDI alone
    assert {r["table"]: r["rows"] for r in app.report(dwh_config, "stedi")["tables"]} == rows
