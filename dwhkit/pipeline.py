"""Ordered, transactional, rerunnable ETL steps.

Each step runs in one transaction: it either lands whole or rolls back and says what failed.
Landing tables are emptied and reloaded in the same transaction as their COPY, transformed
tables are rebuilt or merged, so running the ETL twice gives exactly the same row counts.
"""
from __future__ import annotations

import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .errors import NotCreatedError, PipelineError
from .warehouses.model import Step, Warehouse

log = logging.getLogger("dwhkit")

ETL_LOG_DDL = """
CREATE TABLE IF NOT EXISTS dwhkit_etl_log (
    run_id        VARCHAR(36)  NOT NULL,
    warehouse     VARCHAR(64)  NOT NULL,
    step          VARCHAR(128) NOT NULL,
    zone          VARCHAR(32)  NOT NULL,
    table_name    VARCHAR(128),
    rows_loaded   BIGINT,
    rows_rejected BIGINT,
    seconds       DOUBLE PRECISION,
    finished_at   TIMESTAMP DEFAULT GETDATE(),
    status        VARCHAR(16)  DEFAULT 'ok',
    error         VARCHAR(1024),
    lake          VARCHAR(1024)
) DISTSTYLE ALL
"""
# The columns revision 0004 added (status/error: a failed run is logged with its step and error;
# lake: what the run read). A log created by an older create_tables gets them from ensure_etl_log.
ETL_LOG_ADDED_COLUMNS = [("status", "VARCHAR(16) DEFAULT 'ok'"), ("error", "VARCHAR(1024)"), ("lake", "VARCHAR(1024)")]
ERROR_TEXT_LIMIT = 1000


@dataclass
class StepResult:
    name: str
    zone: str
    seconds: float
    table: str | None = None
    rows_loaded: int | None = None
    rows_rejected: int = 0
    files: list[str] = field(default_factory=list)
    finished_at: datetime | None = None  # UTC, naive like Redshift's TIMESTAMP
    status: str = "ok"                   # "ok" | "failed"
    error: str | None = None             # one line, for a failed step


def etl_steps(warehouse: Warehouse, lake: str, iam_role: str = "", region: str = "") -> list[Step]:
    """The whole ETL: each landing table emptied and reloaded in one step, then the transforms."""
    steps = [Step(f"load {table}", "landing", [f"DELETE FROM {table}", copy_sql], table=table)
             for table, copy_sql in warehouse.copy_queries(lake, iam_role, region)]
    return steps + list(warehouse.transform_steps)


def run_step(conn, step: Step) -> StepResult:
    """Run one step in its own transaction; roll back and raise PipelineError on failure."""
    started = time.perf_counter()
    result = StepResult(step.name, step.zone, 0.0, table=step.table)
    cur = conn.cursor()
    try:
        for sql in step.statements:
            cur.execute(sql)
            copy = getattr(cur, "last_copy", None)
            if copy is not None:
                result.rows_loaded = copy.rows_loaded
                result.rows_rejected = copy.rows_rejected
                result.files = list(copy.files)
                cur.last_copy = None
        conn.commit()
    except Exception as exc:
        with contextlib.suppress(Exception):
            conn.rollback()
        # One line: the driver's message goes on with "LINE 1: …" and a caret under the SQL.
        raise PipelineError(f"step '{step.name}' failed and was rolled back: {first_line(exc)}") from exc
    finally:
        with contextlib.suppress(Exception):
            cur.close()
    result.seconds = time.perf_counter() - started
    result.finished_at = datetime.now(timezone.utc).replace(tzinfo=None)
    return result


# SQLSTATE class 53 "insufficient resources": say what ran out, not just the server's words.
_RESOURCE_HINTS = {"53100": "disk full", "53200": "out of memory", "53300": "too many connections"}


def first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    line = lines[0].strip() if lines else type(exc).__name__
    hint = _RESOURCE_HINTS.get(getattr(exc, "pgcode", None) or "")
    return f"{hint}: {line}" if hint and not line.startswith(hint) else line


def failed_result(step: Step, exc: BaseException, seconds: float) -> StepResult:
    """The log row of a step that failed (and was rolled back)."""
    return StepResult(step.name, step.zone, seconds, table=step.table, rows_loaded=None, status="failed",
                      error=first_line(exc)[:ERROR_TEXT_LIMIT],
                      finished_at=datetime.now(timezone.utc).replace(tzinfo=None))


def etl_log_columns(conn) -> set[str] | None:
    """The columns of the ETL log on the search path, or None when there is no log yet."""
    columns = conn.catalog.columns("dwhkit_etl_log")
    return set(columns) if columns else None


def ensure_etl_log(conn) -> None:
    """Create the ETL log, or bring one made by an older create_tables up to date (the same
    ALTERs as revision 0004). Called by create_tables only: a migrated warehouse changes through
    its revisions, so the ETL itself never alters the log (see require_schema)."""
    cur = conn.cursor()
    cur.execute(ETL_LOG_DDL)
    have = etl_log_columns(conn) or set()
    for name, ddl in ETL_LOG_ADDED_COLUMNS:
        if name not in have:
            cur.execute(f"ALTER TABLE dwhkit_etl_log ADD COLUMN {name} {ddl}")


def require_schema(conn, warehouse: Warehouse) -> None:
    """Refuse, before doing any work, a warehouse whose tables are not there (or whose ETL log
    predates the status columns), saying what to run — instead of failing mid-run with the
    driver's `relation "…" does not exist`."""
    present = conn.catalog.tables(warehouse.schema)
    missing = [t.name for t in warehouse.tables if t.name not in present]
    log_columns = etl_log_columns(conn)
    conn.commit()
    if len(missing) == len(warehouse.tables):
        raise NotCreatedError(f"the {warehouse.name} warehouse has no tables yet; run create_tables.py --warehouse "
                              f"{warehouse.name} (or dwh --warehouse {warehouse.name} create-tables) first")
    if missing:
        raise NotCreatedError(f"the {warehouse.name} warehouse is missing {len(missing)} table(s) "
                              f"({', '.join(missing[:5])}{', …' if len(missing) > 5 else ''}); run dwh migrate "
                              "upgrade, or dwh create-tables to rebuild it (this drops its data)")
    if log_columns is not None and not {name for name, _ in ETL_LOG_ADDED_COLUMNS} <= log_columns:
        raise NotCreatedError("the ETL log (dwhkit_etl_log) was made by an older dwhkit; run dwh migrate upgrade, "
                              "or dwh create-tables to rebuild the warehouse (this drops its data)")


def record_run(conn, warehouse: str, results: list[StepResult], lake: str | None = None) -> str:
    """Write the run's step results to dwhkit_etl_log (values bound, never formatted in).
    A failed run is written too: the steps that landed, then the failed one with its error."""
    run_id = str(uuid.uuid4())
    cur = conn.cursor()
    cur.execute(ETL_LOG_DDL)
    for r in results:
        cur.execute("INSERT INTO dwhkit_etl_log (run_id, warehouse, step, zone, table_name, rows_loaded, "
                    "rows_rejected, seconds, finished_at, status, error, lake) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (run_id, warehouse, r.name, r.zone, r.table, r.rows_loaded, r.rows_rejected, r.seconds,
                     r.finished_at, r.status, r.error, lake))
    conn.commit()
    cur.close()
    return run_id
