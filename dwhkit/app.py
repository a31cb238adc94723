"""The jobs behind the entry points: create tables, run the ETL, report. A library, so the
CLI, the classic scripts, notebooks and tests all call the same code."""
from __future__ import annotations

import logging
from pathlib import Path

from .config import Config, load_config
from .errors import ConfigError
from .identifiers import quote_ident
from .pipeline import ETL_LOG_DDL, etl_steps, record_run, run_lock, run_step
from .report import build_report
from .targets import get_target
from .warehouse import Warehouse, get_warehouse

log = logging.getLogger("dwhkit")


def _resolve(config: Config | None, warehouse: str | None) -> tuple[Config, Warehouse]:
    config = config or load_config()
    wh = get_warehouse(warehouse or config.warehouse)
    return config.with_overrides(warehouse=wh.name), wh


def create_tables(config: Config | None = None, warehouse: str | None = None) -> list[str]:
    """Drop and recreate every table of the warehouse (the laptop workflow; see migrations/)."""
    config, wh = _resolve(config, warehouse)
    target = get_target(config)
    schema = [f"CREATE SCHEMA IF NOT EXISTS {quote_ident(wh.schema)}"] if wh.schema != "public" else []
    # Not under a running ETL's feet: the same lock as run_etl.
    with run_lock(target, target.connect_raw, key=f"dwhkit etl {wh.name}"):
        conn = target.connect()
        try:
            cur = conn.cursor()
            for sql in schema + wh.drop_table_queries + wh.create_table_queries + [ETL_LOG_DDL]:
                cur.execute(sql)
            conn.commit()
        except Exception:
            conn.rollback()
            raise
        finally:
            conn.close()
    return [name for name, _, _ in wh.tables]


def resolve_lake(config: Config, wh: Warehouse, lake: str | None) -> str:
    """--lake, else [S3] lake, else the project's own generated sample (Postgres targets only)."""
    lake = lake or config.lake
    if lake:
        return lake
    if config.target_type == "redshift":
        raise ConfigError("the redshift target loads from S3: set [S3] lake (or DWH_S3_LAKE, or --lake s3://…)")
    if wh.generate_sample is None:
        raise ConfigError(f"warehouse {wh.name!r} has no sample data: pass --lake")
    sample = config.resolve(Path(".dwhkit") / "sample" / wh.name)
    if not sample.exists():
        log.info("no lake configured: generating the %s sample under %s", wh.name, sample)
        wh.generate_sample(sample)
    return str(sample)


def run_etl(config: Config | None = None, warehouse: str | None = None, lake: str | None = None,
            wait_for_lock: bool = True, on_step=None) -> dict:
    """Load landing from the lake, fill trusted/curated and the star schema; return the report."""
    config, wh = _resolve(config, warehouse)
    lake = resolve_lake(config, wh, lake)
    target = get_target(config)
    steps = etl_steps(wh, lake, config.iam_role, config.s3_region)
    with run_lock(target, target.connect_raw, wait=wait_for_lock, key=f"dwhkit etl {wh.name}"):
        conn = target.connect()
        try:
            results = []
            for step in steps:
                results.append(run_step(conn, step))
                if on_step:
                    on_step(results[-1])
            run_id = record_run(conn, wh.name, results)
            report = build_report(conn, wh, run_id)
        finally:
            conn.close()
    report["lake"] = lake
    return report


def report(config: Config | None = None, warehouse: str | None = None) -> dict:
    config, wh = _resolve(config, warehouse)
    conn = get_target(config).connect()
    try:
        return build_report(conn, wh)
    finally:
        conn.close()
