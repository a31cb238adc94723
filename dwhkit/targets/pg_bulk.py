"""COPY, UNLOAD and COPY JOB on a Postgres target: the one door from targets/ into the emulation.

Why a module of its own: the Target owns bulk load and unload (the adapter seam); the emulation
behind this door (grammar, formats, sources, conversion in copy/, the Postgres sink here in
targets/) can change without any caller above targets/ noticing. Every function takes the raw
driver connection of the session that runs the statement and ``connect_raw``, a factory for side
connections (logs that survive a rollback, one transaction per COPY JOB file)."""
from __future__ import annotations


def copy(raw_conn, cmd, connect_raw):
    """Run one parsed COPY (not COPY JOB) in ``raw_conn``'s session; returns its CopyResult."""
    from .pg_sink import run_copy

    return run_copy(raw_conn, cmd, side_conn_factory=connect_raw)


def copy_job(raw_conn, cmd, raw_cursor, connect_raw):
    """Run a parsed COPY JOB command; LIST/SHOW leave their rows on ``raw_cursor``."""
    from .pg_jobs import run_job_command

    return run_job_command(raw_conn, cmd, cursor=raw_cursor, conn_factory=connect_raw)


def unload(raw_conn, cmd, connect_raw):
    """Run one parsed UNLOAD in ``raw_conn``'s session; returns its UnloadResult."""
    from .pg_unload import run_unload

    return run_unload(raw_conn, cmd, side_conn_factory=connect_raw)


def ensure_system_objects(raw_conn) -> None:
    """Create dwhkit's emulated system tables and views if missing (cheap when present)."""
    from .pg_system_tables import ensure_system_tables
    from .system_views import ensure_system_views

    ensure_system_tables(raw_conn)
    ensure_system_views(raw_conn)
