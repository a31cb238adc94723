"""One COPY's record-level bookkeeping: rejected records (stl_load_errors rows, MAXERROR) and
per-file commit rows (stl_load_commits).

Why a collaborator of its own: the parsers only report "this record is bad"; what that costs
(a row, a count, a failed load past MAXERROR) and where the rows go (the sink, in batches when the
sink keeps them through a rollback) is decided here, once.
"""
from __future__ import annotations


from dataclasses import dataclass
from datetime import datetime

from ..errors import CopySyntaxError, LoadError
from . import stl_rows
from .formats import RecordError

MAXERROR_CAP = 100_000
ERROR_ROWS_BATCH = 5000         # stl_load_errors rows written to a durable sink log per batch
ERROR_ROWS_KEPT = 20_000        # when the sink's log is not durable, rows kept (the count goes on)


def maxerror_for(cmd, fmt) -> int | None:
    """The number of rejected records tolerated; None = any (IGNOREALLERRORS)."""
    if fmt.strict:                          # columnar: the first error fails the load (§1)
        if cmd.ignoreallerrors:
            raise CopySyntaxError("IGNOREALLERRORS cannot be used with columnar formats")
        return 0
    return None if cmd.ignoreallerrors else min(cmd.maxerror or 0, MAXERROR_CAP)


@dataclass(frozen=True)
class Stamp:
    """What every log row of one COPY repeats: who, which table, when, which query and session."""

    table_oid: int
    table_name: str
    query_id: int
    session: int
    starttime: datetime
    userid: int = 0


class LoadLog:
    """Counts and rows of one COPY. ``reject`` and ``file_done`` run in the producer thread; the
    rows are read by the loader once that thread has stopped."""

    def __init__(self, sink, stamp: Stamp, cols, convs, fmt, maxerror: int | None):
        self.sink, self.stamp, self.cols, self.convs, self.fmt = sink, stamp, cols, convs, fmt
        self.maxerror = maxerror
        self.rejected = 0
        self.error_rows: list[tuple] = []   # not yet written (see _error_row)
        self.commit_rows: list[tuple] = []

    def file_done(self, f, lines: int, errors: int) -> None:
        self.commit_rows.append(stl_rows.commit_row(userid=self.stamp.userid, query=self.stamp.query_id, url=f.url,
                                                    lines=lines, errors=errors, file_format=self.fmt.file_format))

    def reject(self, f, lineno, raw, vals, err: RecordError) -> None:
        """One stl_load_errors row; raise LoadError when past MAXERROR."""
        col, idx, err = self._culprit(vals, err)
        raw_text = raw.decode("utf-8", "replace") if isinstance(raw, (bytes, bytearray)) else str(raw)
        position = self.fmt.position(raw, idx) if idx is not None else err.position
        value = err.value
        if isinstance(value, (bytes, bytearray)):
            value = value.decode("utf-8", "replace")
        self.rejected += 1
        # With no durable log to spill to, only the first ERROR_ROWS_KEPT rows are kept.
        if self.sink.durable_log or len(self.error_rows) < ERROR_ROWS_KEPT:
            self._error_row(f, lineno, col, position, raw_text, value, err)
        if self.maxerror is not None and self.rejected > self.maxerror:
            where = f"Load into table '{self.stamp.table_name}' failed. Check 'stl_load_errors' system table for details."
            raise LoadError(f"{err.reason} ({err.code}). {where} {self.rejected} record(s) could not be loaded "
                            f"(MAXERROR {self.maxerror}).",
                            key=f.url, line=lineno, column=col.name if col else None)

    def _culprit(self, vals, err):
        """(column, index, error) of the first field that fails to convert, when fields exist."""
        if type(vals) is list:
            for i, (conv, v) in enumerate(zip(self.convs, vals)):
                try:
                    conv(v)
                except RecordError as e:
                    return self.cols[i], i, e
        return None, None, err

    def _error_row(self, f, lineno, col, position, raw_text, value, err):
        st = self.stamp
        self.error_rows.append(stl_rows.error_row(
            userid=st.userid, tbl=st.table_oid, starttime=st.starttime, session=st.session,
            query=st.query_id, filename=f.url, line_number=lineno, colname=col.name if col else "",
            type_=col.stl_type if col else "", col_length=col.stl_length if col else "",
            position=position or 0, raw_line=raw_text, raw_field_value="" if value is None else str(value),
            err_code=err.code, err_reason=err.reason))
        if self.sink.durable_log and len(self.error_rows) >= ERROR_ROWS_BATCH:
            # IGNOREALLERRORS over a flood of bad records: spill to the durable log (its rows
            # survive a rollback anyway) instead of holding millions of rows until the end
            self.sink.log(self.error_rows, [])
            self.error_rows = []
