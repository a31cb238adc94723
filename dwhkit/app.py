"""The jobs behind the entry points: create tables, run the ETL, report. A library, so the
CLI, the classic scripts, notebooks and tests all call the same code."""
from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path

from .config import Config, load_config
from .errors import ConfigError, DatabaseError, PipelineError
from .identifiers import quote_ident
from .pipeline import ensure_etl_log, etl_steps, failed_result, first_line, record_run, require_schema, run_step
from .compat.split import split_statements
from .compat.translation_store import TranslationStore
from .report import build_report, report_queries
from .targets import Target, get_target
from .warehouses import Warehouse, get_warehouse

log = logging.getLogger("dwhkit")


def _resolve(config: Config | None, warehouse: str | None) -> tuple[Config, Warehouse]:
    config = config or load_config()
    wh = get_warehouse(warehouse or config.warehouse).bind(config)
    return config.with_overrides(warehouse=wh.name), wh


def target_for(config: Config) -> Target:
    """The configured target, its connections in the configured warehouse's schema (the edge
    that knows the warehouse hands its schema down; targets/ never reads the registry)."""
    try:
        schema = get_warehouse(config.warehouse).schema
    except ConfigError:  # an unknown name: plain connections still work, in public
        schema = "public"
    return get_target(config, schema=schema)


def _run_lock(target: Target, wh: Warehouse, wait: bool = True):
    """One ETL (or create_tables) at a time per warehouse."""
    return target.run_lock(f"dwhkit etl {wh.name}", wait=wait)


@contextlib.contextmanager
def _session(target):
    """A connection whose driver errors leave as dwhkit's DatabaseError: one line, naming the target
    (never its password). The driver's base class comes from the connection itself (DB-API's
    ``Connection.Error``), so this layer needs no driver import; only targets/ knows the driver."""
    conn = target.connect()
    driver_error = getattr(conn.raw, "Error", None) or ()
    try:
        yield conn
    except driver_error as exc:
        with contextlib.suppress(Exception):
            conn.rollback()
        raise DatabaseError(f"{target.describe()}: {first_line(exc)}") from exc
    finally:
        with contextlib.suppress(Exception):
            conn.close()


def create_tables(config: Config | None = None, warehouse: str | None = None) -> list[str]:
    """Drop and recreate every table of the warehouse (the laptop workflow; see migrations/)."""
    config, wh = _resolve(config, warehouse)
    target = get_target(config, schema=wh.schema)
    schema = [f"CREATE SCHEMA IF NOT EXISTS {quote_ident(wh.schema)}"] if wh.schema != "public" else []
    # Not under a running ETL's feet: the same lock as run_etl.
    with _run_lock(target, wh), _session(target) as conn:
        cur = conn.cursor()
        for sql in schema + wh.drop_table_queries + wh.create_table_queries:
            cur.execute(sql)
        ensure_etl_log(conn)
        conn.commit()
    return wh.table_names


def resolve_lake(config: Config, wh: Warehouse, lake: str | None, target: Target) -> str:
    """--lake, else [S3] lake, else the project's own generated sample (where dwhkit emulates COPY:
    a cluster's own COPY reads S3 only)."""
    lake = lake or config.lake
    if lake:
        return lake
    if not target.emulates_copy:
        raise ConfigError(f"the {target.name} target loads from S3: set [S3] lake (or DWH_S3_LAKE, or --lake s3://…)")
    if wh.generate_sample is None:
        raise ConfigError(f"warehouse {wh.name!r} has no sample data: pass --lake")
    sample = config.resolve(Path(".dwhkit") / "sample" / wh.name)
    if not sample.exists():
        log.info("no lake configured: generating the %s sample under %s", wh.name, sample)
        wh.generate_sample(sample)
    return str(sample)


def run_etl(config: Config | None = None, warehouse: str | None = None, lake: str | None = None,
            wait_for_lock: bool = True, on_step=None, watch_step=None) -> dict:
    """Load landing from the lake, fill trusted/curated and the star schema; return the report.

    ``on_step(result)`` is called after each step; ``watch_step(step)`` returns a context manager
    wrapped around each step while it runs (the CLI's spinner). A failed run is logged too (the
    steps that landed, then the failed step with its error) before the error is raised."""
    config, wh = _resolve(config, warehouse)
    target = get_target(config, schema=wh.schema)
    with _run_lock(target, wh, wait=wait_for_lock), _session(target) as conn, _kept(wh) as store:
        conn.keep_translations(store)
        require_schema(conn, wh)  # before generating a sample or loading anything
        lake = resolve_lake(config, wh, lake, target)
        results = []
        for step in etl_steps(wh, lake, config.iam_role, config.s3_region):
            started = time.perf_counter()
            try:
                with (watch_step(step) if watch_step else contextlib.nullcontext()):
                    results.append(run_step(conn, step))
            except PipelineError as exc:
                failed = failed_result(step, exc.__cause__ or exc, time.perf_counter() - started)
                with contextlib.suppress(Exception):  # the connection may be gone; the error matters more
                    record_run(conn, wh.name, results + [failed], lake)
                raise
            if on_step:
                on_step(results[-1])
        run_id = record_run(conn, wh.name, results, lake)
        report = build_report(conn, wh, run_id, target=target.describe(), open_session=_opener(target, store))
    report["lake"] = lake
    return report


def report(config: Config | None = None, warehouse: str | None = None) -> dict:
    """The report of the warehouse as it is now and of its last successful run (see build_report)."""
    config, wh = _resolve(config, warehouse)
    target = get_target(config, schema=wh.schema)
    with _session(target) as conn, _kept(wh) as store:
        conn.keep_translations(store)
        require_schema(conn, wh)
        return build_report(conn, wh, target=target.describe(), open_session=_opener(target, store))


@contextlib.contextmanager
def _kept(wh: Warehouse):
    """The kept translations of the warehouse's own SQL (its steps and report; never ad-hoc SQL:
    see compat.translation_store), written back when the run ends, failed or not."""
    owned = [sql for step in wh.transform_steps for sql in step.statements] + report_queries(wh)
    store = TranslationStore.for_statements({s for sql in owned for s in split_statements(sql)})
    try:
        yield store
    finally:
        store.save()


def _opener(target: Target, store: TranslationStore):
    """Opens the report's second session, translating through the same store."""
    def open_session():
        conn = target.connect()
        conn.keep_translations(store)
        return conn
    return open_session
