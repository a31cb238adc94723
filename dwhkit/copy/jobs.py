"""COPY JOB (auto-copy), engine-free: the job, its file listing, change detection, the run's result.

The job store and the exactly-once runner live with the engine (``dwhkit.targets.pg_jobs`` for
Postgres, whose docstring gives the decisions); what a job's prefix holds now, which taken files
were overwritten since, and what a run reports are the same whatever stores the ledger.
"""
from __future__ import annotations

import dataclasses

from ..errors import CopyError
from . import sources

LOADED, SKIPPED, FAILED, CHANGED = "loaded", "skipped", "failed", "changed"


@dataclasses.dataclass(frozen=True)
class Job:
    job_id: int
    name: str
    is_auto: bool
    copy_text: str
    source: str

    @property
    def command(self):
        """The COPY this job runs (parsed now: Redshift checks a job's options at run time)."""
        from .grammar import parse_copy

        return dataclasses.replace(parse_copy(self.copy_text), job=None)


@dataclasses.dataclass(frozen=True)
class JobFile(sources.SourceFile):
    """A listed file with the ETag S3 gave it in the listing (None for local files)."""

    etag: str | None = None


def list_files(cmd, s3_client=None) -> list[JobFile]:
    """Every file under the job's prefix now, with its ETag (an empty prefix is no files, not an error)."""
    etags: dict = {}
    source = sources.source_for(cmd.source, cmd, s3_client, etags=etags)
    try:
        found = source.list(cmd.source)
    except CopyError as exc:
        if "does not exist" in str(exc) and "bucket" not in str(exc).lower():
            return []
        raise
    return [JobFile(f.bucket, f.key, f.size, etags.get((f.bucket, f.key))) for f in found]


def client_for(cmd):
    """The process's shared boto3 client for the job's S3 prefix; None for a local lake."""
    return None if sources.is_local(cmd.source) else sources.shared_client(cmd)


def _changed(done: dict, found: list) -> list[tuple[str, str, str | None, str]]:
    """(url, status, ETag in the ledger, ETag now) of each taken file whose object was replaced.
    A ledger row without an ETag (written before ETags were kept) cannot be compared: not reported."""
    out = []
    for f in found:
        status, etag = done.get(f.url, (None, None))
        now = getattr(f, "etag", None)
        if status is not None and etag and now and etag != now:
            out.append((f.url, status, etag, now))
    return out


def pinned_source(cmd, client, f) -> tuple[sources.Source, dict]:
    """The Source one job file is loaded through: the job's prefix lists just ``f``; the dict
    fills with the ETag of the version actually read (S3)."""
    etags: dict = {}
    return sources.PinnedSource(sources.source_for(f.url, cmd, client, etags=etags), [f]), etags


@dataclasses.dataclass
class RunResult:
    """What one RUN did; field names match CopyResult so pipeline steps can read either."""

    rows_loaded: int = 0
    rows_rejected: int = 0
    files: list[str] = dataclasses.field(default_factory=list)      # loaded by this run
    failed: list[str] = dataclasses.field(default_factory=list)
    # (url, ledger status, ETag taken, ETag now): objects replaced after the job took them; not reloaded
    changed: list[tuple[str, str, str | None, str]] = dataclasses.field(default_factory=list)
    query_id: int = -1
    seconds: float = 0.0
    message: str = ""


def run_message(name: str, result: RunResult) -> str:
    """The run's summary, with one warning line per overwritten object (never a silent skip)."""
    return (f"COPY JOB {name}: {len(result.files)} file(s), {result.rows_loaded} record(s) loaded"
            + (f", {len(result.failed)} file(s) failed" if result.failed else "")
            + "".join(f"\nwarning: COPY JOB {name}: {url} was overwritten after it was {status} "
                      f"(ETag {etag} then, {now} now); not reloaded: a job takes each file name "
                      "once — load the new version under a new name"
                      for url, status, etag, now in result.changed))
