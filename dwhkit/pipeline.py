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

from .errors import PipelineError
from .warehouse import Warehouse

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
    finished_at   TIMESTAMP DEFAULT GETDATE()
) DISTSTYLE ALL
"""


@dataclass(frozen=True)
class Step:
    name: str
    zone: str
    statements: list[str]
    table: str | None = None  # the landing table a COPY step fills


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


def etl_steps(warehouse: Warehouse, lake: str, iam_role: str = "", region: str = "") -> list[Step]:
    steps = [Step(f"load {table}", "landing", [f"DELETE FROM {table}", copy_sql], table=table)
             for table, copy_sql in warehouse.copy_queries(lake, iam_role, region)]
    steps += [Step(name, zone, stmts) for name, zone, stmts in warehouse.transform_steps]
    return steps


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
        raise PipelineError(f"step '{step.name}' failed and was rolled back: {exc}") from exc
    finally:
        with contextlib.suppress(Exception):
            cur.close()
    result.seconds = time.perf_counter() - started
    result.finished_at = datetime.now(timezone.utc).replace(tzinfo=None)
    return result


def record_run(conn, warehouse: str, results: list[StepResult]) -> str:
    """Write the run's step results to dwhkit_etl_log (values bound, never formatted in)."""
    run_id = str(uuid.uuid4())
    cur = conn.cursor()
    cur.execute(ETL_LOG_DDL)
    for r in results:
        cur.execute("INSERT INTO dwhkit_etl_log (run_id, warehouse, step, zone, table_name, rows_loaded, "
                    "rows_rejected, seconds, finished_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (run_id, warehouse, r.name, r.zone, r.table, r.rows_loaded, r.rows_rejected, r.seconds,
                     r.finished_at))
    conn.commit()
    cur.close()
    return run_id


@contextlib.contextmanager
def run_lock(target, conn_factory, wait: bool = True, key: str = "dwhkit etl"):
    """One ETL at a time per warehouse: a session-level advisory lock on Postgres targets.

    A second run waits (saying so) or, with wait=False, stops with a clear message. Redshift has
    no advisory locks; there its transactions serialise conflicting writes instead."""
    if not target.translates:
        yield
        return
    conn = conn_factory()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,))
            if not cur.fetchone()[0]:
                if not wait:
                    raise PipelineError("another ETL run is loading this warehouse; try again when it ends")
                log.warning("another ETL run is loading this warehouse; waiting for it to finish…")
                cur.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        yield
    finally:
        with contextlib.suppress(Exception):
            conn.close()  # closing the session releases the lock
