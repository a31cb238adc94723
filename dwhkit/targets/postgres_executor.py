"""Redshift SQL on a Postgres session: each statement translated, COPY/UNLOAD/COPY JOB emulated.

Why a class per connection: the translator may read column types (Redshift's implicit
conversions); the catalog it reads is this session's, cached, and invalidated here after the
statements that change it. COPY and UNLOAD go through pg_bulk, the one door into the emulation.
"""
from __future__ import annotations

import logging

from ..compat.split import first_keyword, split_statements
from ..compat.translate import to_postgres
from ..copy.grammar import parse_copy
from ..copy.unload_grammar import parse_unload
from ..errors import CopyError, UnsupportedError
from . import pg_bulk
from .base import Outcome, Executor
from .catalog import PostgresCatalog

log = logging.getLogger("dwhkit")

# After these the cached column types may be wrong: DDL, a new search path, a rolled-back transaction.
_CHANGES_CATALOG = {"CREATE", "ALTER", "DROP", "SET", "RESET", "ROLLBACK", "ABORT"}


class PostgresExecutor(Executor):
    def __init__(self, raw_conn, connect_raw, lock=None):
        self.raw = raw_conn
        self._connect_raw = connect_raw  # side connections for the emulation (logs, COPY JOB files)
        self.catalog = PostgresCatalog(raw_conn, lock)
        self.translations = None     # a compat TranslationStore: see keep_translations

    def execute(self, raw_cursor, sql, params=None) -> Outcome:
        statements = split_statements(sql) if isinstance(sql, str) else [sql]
        outcome = Outcome()
        for stmt in statements:
            keyword = first_keyword(stmt) if isinstance(stmt, str) else ""
            if keyword == "COPY":
                outcome = self._copy(stmt, raw_cursor)
            elif keyword == "UNLOAD":
                result = pg_bulk.unload(self.raw, parse_unload(stmt), self._connect_raw)
                outcome = Outcome(rowcount=getattr(result, "rows_unloaded", -1))
            else:
                for pg_sql in to_postgres(stmt, catalog=self.catalog, store=self.translations):
                    # Parameters go to the statements that take them (a translation may add some
                    # that do not, e.g. the COMMENT recording a table's Redshift design).
                    takes = len(statements) == 1 and params is not None and ("%s" in pg_sql or "%(" in pg_sql)
                    raw_cursor.execute(pg_sql, params if takes else None)
                if keyword in _CHANGES_CATALOG:
                    self.catalog.invalidate()
                outcome = Outcome()
        return outcome

    def keep_translations(self, store) -> None:
        """Translate the statements ``store`` owns through it (kept across processes)."""
        self.translations = store

    def executemany(self, raw_cursor, sql, seq_of_params) -> None:
        translated = to_postgres(sql, catalog=self.catalog)
        if len(translated) != 1:
            raise UnsupportedError("executemany needs a statement that translates to one statement")
        raw_cursor.executemany(translated[0], seq_of_params)

    def _copy(self, stmt: str, raw_cursor) -> Outcome:
        cmd = parse_copy(stmt)
        if cmd.job is not None:  # COPY JOB: the job store/runner; LIST and SHOW leave rows on this cursor
            result = pg_bulk.copy_job(self.raw, cmd, raw_cursor, self._connect_raw)
            return Outcome(rowcount=result.rows_loaded if result is not None else None, ran_copy=True, copy=result)
        try:
            result = pg_bulk.copy(self.raw, cmd, self._connect_raw)
        except Exception as exc:
            if self.raw.closed and not isinstance(exc, CopyError):
                raise _lost_connection(cmd.table, exc) from exc
            raise
        log.info("Load into table '%s' completed, %d record(s) loaded successfully.", cmd.table, result.rows_loaded)
        if result.rows_rejected:
            log.info("Load into table '%s' completed, %d record(s) could not be loaded. "
                     "Check 'stl_load_errors' system table for details.", cmd.table, result.rows_rejected)
        return Outcome(rowcount=result.rows_loaded, ran_copy=True, copy=result)


def _lost_connection(table: str, exc: BaseException) -> CopyError:
    """A session lost mid-COPY (server restart, pg_terminate_backend, network) surfaces from the
    loader's cleanup as a bare driver error ("connection already closed"); say what happened. The
    server rolls the open transaction back: nothing was loaded."""
    cause = exc.__context__ if exc.__context__ is not None else exc
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return CopyError(f"Load into table '{table}' failed: the database connection was lost during the COPY "
                     f"({first}); the server rolled the transaction back, nothing was loaded")
