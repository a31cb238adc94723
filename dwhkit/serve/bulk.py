"""COPY, UNLOAD and COPY JOB for an endpoint client, run through the same emulation as
``dwhkit.connect()`` (targets/pg_bulk.py, the one door), answered Redshift's way.

A COPY loads in the client's own backend session (wire_conn.py adapts it to the driver connection
the emulation takes): inside the client's transaction, seeing its uncommitted tables, undone by its
ROLLBACK, exactly as on Redshift. UNLOAD and COPY JOB run in a dwhkit connection of the same target
(a side session, committed there): they read committed data only. S3 is reached with the server's
own environment.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..compat.split import first_keyword


@dataclass
class BulkOutcome:
    tag: str
    notices: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)   # COPY JOB LIST/SHOW rows, sent as text
    rows: list[tuple] = field(default_factory=list)


class BulkRunner:
    """One lazily opened dwhkit connection per client session, reused for its bulk statements."""

    def __init__(self, target):
        self.target = target
        self.conn = None

    def run(self, statement: str, session_conn=None) -> BulkOutcome:
        """``session_conn``: the client's own session as a driver connection (wire_conn.py); a
        COPY (not COPY JOB) loads there, inside the client's transaction."""
        if session_conn is not None and first_keyword(statement) == "COPY":
            from ..copy.grammar import parse_copy
            from ..targets import pg_bulk

            cmd = parse_copy(statement)
            if cmd.job is None:
                result = pg_bulk.copy(session_conn, cmd, self.target.connect_raw)
                return _copy_outcome(cmd.table, result)
        return self._run_aside(statement)

    def _run_aside(self, statement: str) -> BulkOutcome:
        if self.conn is None or self.conn.closed:
            self.conn = self.target.connect()
        cur = self.conn.cursor()
        try:
            cur.execute(statement)
            outcome = self._outcome(statement, cur)
            self.conn.commit()
            return outcome
        except BaseException:
            try:
                self.conn.rollback()
            except Exception:  # noqa: BLE001 - the session may be gone; the next run reconnects
                self.close()
            raise

    @staticmethod
    def _outcome(statement: str, cur) -> BulkOutcome:
        if first_keyword(statement) == "UNLOAD":
            n = max(cur.rowcount, 0)
            return BulkOutcome("UNLOAD", [f"UNLOAD completed, {n} record(s) unloaded successfully."])
        result = cur.last_copy
        if cur.description:  # COPY JOB LIST / SHOW
            rows = cur.fetchall()
            return BulkOutcome(f"SELECT {len(rows)}", columns=[d[0] for d in cur.description], rows=rows)
        if result is None:  # COPY JOB CREATE / ALTER / DROP / RUN with nothing to load
            return BulkOutcome("COPY")
        return _copy_outcome(_copy_table(statement), result)

    def cancel(self) -> None:
        conn = self.conn
        if conn is not None and not conn.closed:
            try:
                conn.raw.cancel()
            except Exception:  # noqa: BLE001 - nothing running
                pass

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001
                pass
            self.conn = None


def _copy_outcome(table: str, result) -> BulkOutcome:
    notices = [f"Load into table '{table}' completed, {result.rows_loaded} record(s) loaded successfully."]
    if result.rows_rejected:
        notices.append(f"Load into table '{table}' completed, {result.rows_rejected} record(s) could not "
                       "be loaded.  Check 'stl_load_errors' system table for details.")
    return BulkOutcome(f"COPY {result.rows_loaded}", notices)


def _copy_table(statement: str) -> str:
    from ..copy.grammar import parse_copy

    try:
        return parse_copy(statement).table
    except Exception:  # noqa: BLE001 - the COPY ran; the name is only for the notice
        return "?"
