"""test.ipynb is executed against a loaded warehouse so it cannot rot — in the kernel the tests
drive (nbclient) and as users run it (``jupyter nbconvert --to notebook --execute``) — and its
outputs are checked: every table listed, the charts drawn, the funnel's numbers equal to counts
taken here independently. Every notebook of the repository is executed by some test."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import psycopg2
import pytest

from dwhkit import app
from dwhkit.warehouses import get_warehouse
from dwhkit.warehouses.stedi.sql import normalise_email

from .conftest import ROOT, notebook_text, run_notebook

FUNNEL = ["landing customers", "consenting (trusted)", "with accelerometer data (curated)", "in the ML table"]


@pytest.fixture
def loaded_stedi(dwh_config, stedi_sample):
    app.create_tables(dwh_config)
    app.run_etl(dwh_config, lake=str(stedi_sample))
    return dwh_config


def sql_counts(config) -> dict:
    """The funnel and the readings, counted here in plain Postgres SQL (and Python for the email
    rule), not with the notebook's queries."""
    c = config.cluster
    conn = psycopg2.connect(host=c.host, port=c.port, dbname=c.db_name, user=c.db_user, password=str(c.db_password))
    try:
        cur = conn.cursor()

        def one(sql):
            cur.execute(sql)
            return cur.fetchone()[0]

        cur.execute("SELECT email FROM staging_customer")
        landing = {normalise_email(e) for (e,) in cur.fetchall()} - {None}
        return {
            "funnel": [len(landing), one("SELECT COUNT(*) FROM customer_trusted"),
                       one("SELECT COUNT(*) FROM customer_curated"),
                       one("SELECT COUNT(DISTINCT customer_key) FROM machine_learning_curated")],
            "readings": one("SELECT COUNT(*) FROM fact_accelerometer_reading"),
        }
    finally:
        conn.close()


def images(outputs) -> int:
    return sum("image/png" in o.get("data", {}) for o in outputs)


def check_outputs(outputs, config) -> None:
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = notebook_text(outputs)
    # every table of the warehouse, every zone: in the row counts and in a summary of its own
    missing = [t for t in get_warehouse("stedi").table_names if len(re.findall(rf"\b{t}\b", text)) < 2]
    assert not missing, missing
    assert images(outputs) >= 2                                  # readings over time, the funnel
    expected = sql_counts(config)
    # the readings chart: per minute on the sample (about an hour of readings), every reading in a bar
    m = re.search(r"readings per (\w+): (\d+) readings in (\d+) buckets", text)
    assert m, text[-2000:]
    assert m.group(1) == "minute" and int(m.group(2)) == expected["readings"] and 10 <= int(m.group(3)) <= 120
    # the funnel: the SQL counts, never growing from one stage to the next, and not trivially empty
    funnel = json.loads(re.search(r"funnel: (\{.*\})", text).group(1))
    assert list(funnel) == FUNNEL
    numbers = list(funnel.values())
    assert numbers == expected["funnel"]
    assert all(a >= b for a, b in zip(numbers, numbers[1:])), numbers
    assert numbers[-1] > 0 and numbers[0] > numbers[1]
    assert "consented" in text and "no research consent" in text


def test_notebook_runs_on_loaded_warehouse(loaded_stedi, tmp_path, monkeypatch):
    check_outputs(run_notebook("test.ipynb", loaded_stedi, tmp_path, monkeypatch), loaded_stedi)


def test_notebook_runs_with_nbconvert(loaded_stedi, tmp_path):
    """What users run: jupyter nbconvert --to notebook --execute, in its own process, reaching the
    database through $DWH_CONFIG and the password in the environment."""
    import nbformat
    c = loaded_stedi.cluster
    cfg = tmp_path / "nb.cfg"
    cfg.write_text(f"[TARGET]\ntype = postgres\n[CLUSTER]\nhost = {c.host}\nport = {c.port}\n"
                   f"db_name = {c.db_name}\ndb_user = {c.db_user}\n")
    env = {**os.environ, "DWH_CONFIG": str(cfg), "DWH_CLUSTER_DB_PASSWORD": str(c.db_password)}
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                           "--ExecutePreprocessor.timeout=180", "--output-dir", str(tmp_path),
                           "--output", "executed", str(ROOT / "test.ipynb")],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    nb = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert all(cell.get("execution_count") for cell in nb.cells if cell.cell_type == "code")
    check_outputs(outputs, loaded_stedi)


def test_every_notebook_is_executed_by_a_test():
    notebooks = sorted(p.name for p in ROOT.glob("*.ipynb"))
    assert {"test.ipynb", "energy.ipynb", "adtech.ipynb"} <= set(notebooks)
    tests = "".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py"))
    executed = set(re.findall(r"""run_notebook\(\s*["']([^"']+\.ipynb)["']""", tests))
    assert set(notebooks) <= executed, set(notebooks) - executed
