"""COPY, UNLOAD and COPY JOB for an endpoint client, run through the same emulation as
``dwhkit.connect()`` (targets/pg_bulk.py, the one door), answered Redshift's way.

COPY and UNLOAD run in the client's own backend session (the target adapts it to what the
emulation takes, targets/pg_wire_session.py): inside the client's transaction, as on Redshift — a
COPY sees the client's uncommitted tables and is undone by its ROLLBACK, an UNLOAD sees its
uncommitted rows. COPY JOB runs in a dwhkit connection of the same target (a side session,
committed there; Redshift runs a job's loads on its own, not in the session that made it). S3 is
reached with the server's own environment.
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

    def run(self, statement: str, session=None) -> BulkOutcome:
        """``session``: the client's own backend session (session.Session); a COPY (not COPY JOB)
        or an UNLOAD runs there, inside the client's transaction, through the target."""
        keyword = first_keyword(statement)
        if session is not None and keyword == "COPY":
            from ..copy.grammar import parse_copy

            cmd = parse_copy(statement)
            if cmd.job is None:
                return _copy_outcome(cmd.table, self.target.bulk_in_wire_session(session, cmd))
        elif session is not None and keyword == "UNLOAD":
            from ..copy.unload_grammar import parse_unload

            result = self.target.bulk_in_wire_session(session, parse_unload(statement))
            return _unload_outcome(result.rows_unloaded)
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
            return _unload_outcome(max(cur.rowcount, 0))
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


def _unload_outcome(rows: int) -> BulkOutcome:
    return BulkOutcome("UNLOAD", [f"UNLOAD completed, {rows} record(s) unloaded successfully."])


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
