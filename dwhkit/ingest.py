"""`dwh ingest --follow`: what Redshift's auto-copy does by itself, for Postgres targets.

Why polling: S3 event notifications need infrastructure a laptop or CI lacks; one ListObjectsV2
per job per interval costs little. The watcher only decides *when* to run: a job runs when its
prefix shows keys this process has not seen (and once at start, to catch up after a restart).
*What* to load is decided by the job's ledger in the database (dwhkit.copy.jobs), so a watcher
that is killed, restarted, or running twice never loads a file twice. An object overwritten after
it was loaded is reported by the run (a warning line in its message, which `dwh ingest` prints on
stderr, and a 'changed' row in the job's record), not reloaded.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from .errors import ConfigError

log = logging.getLogger("dwhkit")


@dataclass
class FollowStats:
    runs: int = 0
    files: int = 0
    rows: int = 0
    failed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)   # overwritten after the job took them (not reloaded)


def _jobs(conn_factory, name: str | None):
    from .copy import jobs

    conn = conn_factory()
    conn.autocommit = True
    try:
        jobs.ensure_job_tables(conn)
        if name is None:
            return jobs.list_jobs(conn, auto_only=True)
        job = jobs.get_job(conn, name)
        if not job.is_auto:
            raise ConfigError(f"COPY JOB {name} is AUTO OFF: run it with COPY JOB RUN {name}, "
                              f"or COPY JOB ALTER {name} AUTO ON to follow it")
        return [job]
    finally:
        conn.close()


def follow(config, job: str | None = None, interval: float = 5.0, once: bool = False,
           stop: threading.Event | None = None, on_run=None, refresh=None) -> FollowStats:
    """Watch the prefixes of ``job`` (default: every AUTO ON job) and run them on new keys.

    ``once``: one pass, then return. ``stop``: an Event ending the loop. ``on_run(name, result)``
    is called after each run; ``refresh(conn)`` after a run that loaded rows (e.g. rebuilding the
    warehouse's star schema and marts)."""
    from .copy import jobs as jobmod
    from .targets import get_target

    target = get_target(config)
    if not target.translates:
        raise ConfigError("on Redshift a COPY JOB with AUTO ON ingests by itself; `dwh ingest` is for Postgres targets")
    conn_factory = target.connect_raw
    stop = stop or threading.Event()
    seen: dict[str, set[str]] = {}
    stats = FollowStats()
    while True:
        for j in _jobs(conn_factory, job):
            cmd = j.command
            files = jobmod.list_files(cmd)
            # (name, ETag): an object overwritten under a name already seen is news too — the run
            # reports it (never a silent skip; see dwhkit.copy.jobs on why it is not reloaded)
            keys = {(f.url, f.etag) for f in files}
            if j.name in seen and keys <= seen[j.name]:
                continue
            result = jobmod.run_job(conn_factory, j.name, files=files)
            seen[j.name] = keys
            stats.runs += 1
            stats.files += len(result.files)
            stats.rows += result.rows_loaded
            stats.failed += result.failed
            stats.changed += [c[0] for c in result.changed]
            if result.files or result.failed:
                log.info("%s", result.message)
            if on_run:
                on_run(j.name, result)
            if refresh is not None and result.rows_loaded:
                refresh(target)
        if once or stop.wait(interval):
            return stats


def refresh_warehouse(warehouse):
    """A ``refresh`` for follow(): the warehouse's transform steps, each in its own transaction."""
    from .pipeline import Step, run_step

    def refresh(target):
        conn = target.connect()
        try:
            for name, zone, stmts in warehouse.transform_steps:
                run_step(conn, Step(name, zone, stmts))
        finally:
            conn.close()

    return refresh
