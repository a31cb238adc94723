"""Small STEDI landing lakes written from Python records, and the ETL run under a chosen consent
scope, for the STEDI regression tests (test_stedi_privacy.py, test_stedi_scope.py, …)."""
from __future__ import annotations

import json
from pathlib import Path

from dwhkit.pipeline import etl_steps, record_run, run_step
from dwhkit.report import build_report
from dwhkit.targets import get_target
from dwhkit.warehouses.stedi import WAREHOUSE

BASE = 1_655_564_376_000            # mid-June 2022, like the published files
FUTURE = 4_102_444_800_000          # 2100-01-01: a consent dated after any run


def customer(email: str, serial: str = "s-1", consent=None, updated=BASE, **extra) -> dict:
    """One customer record; consent None means the key is absent (as in v2023)."""
    rec = {"customerName": email.strip(), "email": email, "phone": "555", "birthDay": "1990-01-01",
           "serialNumber": serial, "registrationDate": BASE - 1000, "lastUpdateDate": updated}
    if consent is not None:
        rec["shareWithResearchAsOfDate"] = consent
    rec.update(extra)
    return rec


def reading(user: str, ms: int, x: float = 0.0) -> dict:
    return {"user": user, "timestamp": ms, "x": x, "y": 0.0, "z": 1.0}


def step(serial: str, ms: int, distance: int = 200) -> dict:
    return {"sensorReadingTime": ms, "serialNumber": serial, "distanceFromObject": distance}


def write_lake(root: Path, customers, readings=(), steps=()) -> Path:
    for folder, name, rows in (("customer", "customer-1.json", customers),
                               ("accelerometer", "accelerometer-1.json", readings),
                               ("step_trainer", "step_trainer-1.json", steps)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        with open(root / folder / name, "w", encoding="utf-8") as fh:
            for rec in rows:
                fh.write(json.dumps(rec) + "\n")
    return root


def run(config, lake: Path, scope: str | None = None, create: bool = True) -> dict:
    """The ETL and its report, with the warehouse bound to ``config`` (its consent scope).

    This is app.run_etl with the configured warehouse; see the report for the one-line wiring
    in app._resolve that lets app.run_etl do it itself."""
    from dwhkit import app

    if create:
        app.create_tables(config)
    wh = WAREHOUSE.bind(config) if scope is None else WAREHOUSE.with_scope(scope)
    conn = get_target(config).connect()
    try:
        results = [run_step(conn, s) for s in etl_steps(wh, str(lake))]
        run_id = record_run(conn, wh.name, results)
        return build_report(conn, wh, run_id)
    finally:
        conn.close()


def report_of(config, scope: str = "customer") -> dict:
    conn = get_target(config).connect()
    try:
        return build_report(conn, WAREHOUSE.with_scope(scope))
    finally:
        conn.close()


def rows(config, sql: str, params=None) -> list[tuple]:
    conn = get_target(config).connect()
    try:
        cur = conn.cursor()
        cur.execute(sql, params)
        out = cur.fetchall() if cur.description else []
        conn.commit()
        return out
    finally:
        conn.close()


def emails_everywhere(config) -> dict[str, set]:
    """Every email past landing, per table (ML rows through their customer key)."""
    out = {}
    for table in ("customer_trusted", "customer_curated", "dim_customer", "accelerometer_trusted",
                  "device_registration_trusted"):
        out[table] = {r[0] for r in rows(config, f"SELECT DISTINCT email FROM {table}")}
    out["machine_learning_curated"] = {r[0] for r in rows(
        config, "SELECT DISTINCT d.email FROM machine_learning_curated m JOIN dim_customer d USING (customer_key)")}
    return out


def failed_checks(report: dict) -> dict[str, int]:
    return {c["check"]: c["violations"] for c in report["checks"] if not c["passed"]}


def outcomes(report: dict, flow: str) -> dict[str, int]:
    return next(f["outcomes"] for f in report["reconciliation"] if f["flow"] == flow)
