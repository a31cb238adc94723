"""stl_load_errors / stl_load_commits rows as Redshift shapes them (§5), engine-free.

Why here: what a row says (CHAR widths, multibyte characters shown as '.', no NUL) is Redshift's
behaviour, the same whichever engine stores the rows; where they are stored is the sink's job.
"""
from __future__ import annotations

from datetime import datetime, timezone

ERROR_COLUMNS = ("userid", "slice", "tbl", "starttime", "session", "query", "filename", "line_number",
                 "colname", "type", "col_length", "position", "raw_line", "raw_field_value", "err_code",
                 "err_reason", "is_partial", "start_offset")
COMMIT_COLUMNS = ("userid", "query", "slice", "name", "filename", "byte_offset", "lines_scanned", "errors",
                  "curtime", "status", "file_format", "is_partial", "start_offset", "copy_job_id")


def _ascii_dots(text: str, limit: int) -> str:
    """raw_line: multibyte characters shown as '.', as Redshift does; NUL dropped; ≤ limit chars."""
    text = text[:limit]
    if not text.isascii():
        text = "".join(ch if ord(ch) < 128 else "." for ch in text)
    return text.replace("\x00", "")


def _clip(text, limit: int) -> str:
    if text is None:
        return ""
    return str(text).replace("\x00", "")[:limit]


def error_row(*, userid, tbl, starttime, session, query, filename, line_number, colname, type_, col_length,
              position, raw_line, raw_field_value, err_code, err_reason) -> tuple:
    return (userid, 0, tbl, starttime, session, query, _clip(filename, 256), line_number, _clip(colname, 127),
            _clip(type_, 10), _clip(col_length, 10), position, _ascii_dots(raw_line or "", 1024),
            _clip(raw_field_value, 1024), err_code, _clip(err_reason, 100), 0, 0)


def commit_row(*, userid, query, url, lines, errors, file_format) -> tuple:
    """One file's stl_load_commits row (copy_job_id 0: a COPY JOB sets it when the file commits)."""
    return (userid, query, 0, url[:256], url[:256], 0, lines, errors,
            datetime.now(timezone.utc).replace(tzinfo=None), 1, file_format, 0, 0, 0)
