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
import re
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


_JOB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def _jobs(conn, name: str | None) -> list:
    """The jobs to follow, read with Redshift's own statements (COPY JOB LIST / SHOW) on a
    connection of the target: how the store is kept is the target's business."""
    from .copy.jobs import Job

    cur = conn.cursor()
    if name is None:
        cur.execute("COPY JOB LIST")
        names = [row[1] for row in cur.fetchall() if row[4]]  # job_name, is_auto
    elif not _JOB_NAME.match(name):
        raise ConfigError(f"{name!r} is not a COPY JOB name")
    else:
        names = [name]
    jobs = []
    for job_name in names:
        cur.execute(f"COPY JOB SHOW {job_name}")
        job_id, shown_name, _, copy_text, is_auto, _, source = cur.fetchone()[:7]
        if not is_auto:
            raise ConfigError(f"COPY JOB {job_name} is AUTO OFF: run it with COPY JOB RUN {job_name}, "
                              f"or COPY JOB ALTER {job_name} AUTO ON to follow it")
        jobs.append(Job(job_id, shown_name.strip(), True, copy_text, source))
    return jobs


def follow(config, job: str | None = None, interval: float = 5.0, once: bool = False,
           stop: threading.Event | None = None, on_run=None, refresh=None) -> FollowStats:
    """Watch the prefixes of ``job`` (default: every AUTO ON job) and run them on new keys.

    ``once``: one pass, then return. ``stop``: an Event ending the loop. ``on_run(name, result)``
    is called after each run; ``refresh(conn)`` after a run that loaded rows (e.g. rebuilding the
    warehouse's star schema and marts)."""
    from .app import target_for
    from .copy.jobs import list_files

    target = target_for(config)
    if not target.emulates_copy:
        raise ConfigError(f"on {target.name} a COPY JOB with AUTO ON ingests by itself; "
                          "`dwh ingest` is for targets where dwhkit emulates COPY (Postgres)")
    stop = stop or threading.Event()
    seen: dict[str, set[str]] = {}
    stats = FollowStats()
    conn = target.connect()
    conn.autocommit = True  # each statement its own transaction: the follower holds no locks
    try:
        while True:
            for j in _jobs(conn, job):
                files = list_files(j.command)
                # (name, ETag): an object overwritten under a name already seen is news too — the
                # run reports it (never a silent skip; see the COPY JOB emulation on why it is not reloaded)
                keys = {(f.url, f.etag) for f in files}
                if j.name in seen and keys <= seen[j.name]:
                    continue
                cur = conn.cursor()
                cur.execute(f"COPY JOB RUN {j.name}")
                result = cur.last_copy
                seen[j.name] = keys
                _count(stats, result)
                if result.files or result.failed:
                    log.info("%s", result.message)
                if on_run:
                    on_run(j.name, result)
                if refresh is not None and result.rows_loaded:
                    refresh(target)
            if once or stop.wait(interval):
                return stats
    finally:
        conn.close()


def _count(stats: FollowStats, result) -> None:
    stats.runs += 1
    stats.files += len(result.files)
    stats.rows += result.rows_loaded
    stats.failed += result.failed
    stats.changed += [c[0] for c in result.changed]


def refresh_warehouse(warehouse):
    """A ``refresh`` for follow(): the warehouse's transform steps, each in its own transaction."""
    from .pipeline import run_step

    def refresh(target):
        conn = target.connect()
        try:
            for step in warehouse.transform_steps:
                run_step(conn, step)
        finally:
            conn.close()

    return refresh
