"""Where a COPY's rows go: the small, driver-agnostic interface the loader writes through.

Why a protocol: copy/ knows Redshift's COPY (grammar, formats, sources, conversion, scheduling)
and nothing of the engine; ``dwhkit.targets`` implements this for Postgres over the driver, and
the serve endpoint may implement it over the wire protocol. Everything crosses as plain values:
the table's columns (``convert.Table``), blocks of bytes in Postgres COPY layouts
(``BlockFormat``), and stl_load_errors / stl_load_commits rows as tuples (``system_tables``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .convert import Column, Table


@dataclass(frozen=True)
class BlockFormat:
    """The layout of one stream of COPY data bytes.

    ``kind``: 'text' (COPY's text format: tab-separated, ``\\N`` = NULL, backslash escapes), 'bin'
    (the binary tuple format, header and trailer included), 'pgtext' (the text format with
    ``delimiter`` and NULL = empty field, no escapes in the data), 'csv' (CSV with ``delimiter``,
    quote byte 0x01, NULL = unquoted empty field, ``not_null`` columns read '' as '')."""

    kind: str
    delimiter: bytes = b"\t"
    not_null: tuple[str, ...] = ()


class Readable(Protocol):
    """A stream of COPY data: ``read()`` returns the next block, ``b""`` at the end."""

    def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class LoadIds:
    """What Redshift calls the COPY's query id and session (stl_load_errors.query/session)."""

    query_id: int
    session: int


class TableCatalog(Protocol):
    """What the loader must know of the target table."""

    def describe_table(self, schema: str | None, name: str) -> Table:
        """The table's columns in order; raises CopyError when it does not exist / is not a table."""


class CopySink(TableCatalog, Protocol):
    """One COPY's destination. The loader calls, in order: ``begin``; ``describe_table``; any
    number of ``write`` (each one statement's worth of data) and ``log``; after a load that
    STATUPDATE analyzes, ``was_empty`` and ``update_statistics``; then ``commit`` or ``abort``;
    ``close`` always. ``interrupt`` may be called from another thread while a ``write``
    runs. Driver errors come out as ``CopyError``."""

    durable_log: bool
    """True when ``log`` rows survive ``abort`` (they go through a connection of their own)."""

    def begin(self) -> LoadIds:
        """Open the all-or-nothing scope of the load (a transaction or savepoint)."""

    def write(self, table: Table, columns: list[Column], fmt: BlockFormat, data: Readable) -> None:
        """Load one stream of COPY data into ``columns`` of ``table``."""

    def interrupt(self) -> None:
        """Stop the ``write`` in progress (called from another thread; best effort)."""

    def log(self, errors: list[tuple], commits: list[tuple]) -> None:
        """Append stl_load_errors / stl_load_commits rows."""

    def was_empty(self, table: Table) -> bool:
        """Whether ``table`` held no rows when this load's first ``write`` began (STATUPDATE's
        default); asked after the writes. The sink looks inside its first ``write``, so a table
        locked by another session blocks where ``interrupt`` can reach it."""

    def update_statistics(self, table: Table) -> None:
        """Refresh the planner's statistics of ``table`` inside the load's scope (ANALYZE); a
        session that may not (not the table's owner) leaves them as they are."""

    def commit(self, ids: LoadIds, rows_loaded: int) -> None:
        """Keep the load; ``pg_last_copy_id()``/``pg_last_copy_count()`` report it."""

    def abort(self, ids: LoadIds, errors: list[tuple], commits: list[tuple]) -> None:
        """Undo the load, then log the rows given (those ``log`` did not make durable)."""

    def close(self, failed: bool) -> None:
        """Release what the sink holds; after a failure (``failed``), leave the session usable."""
