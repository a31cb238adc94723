"""Run a Redshift UNLOAD: the engine's rows (an ``UnloadQuery``) → slice writers → S3 part files.

Why this shape: rows are pulled from the engine in batches (``UnloadQuery``) and pushed straight
through an encoder and a streaming compressor into an S3 object that is sent in multipart chunks
(``unload_writers``), so memory stays constant however large the result. The engine runs the
query so that a failing UNLOAD never kills the caller's transaction; on failure the objects
written so far are removed again.

Decisions (AMBIG in REDSHIFT-SEMANTICS.md §6, each covered by a test in tests/test_unload*.py):
- Slices: PARALLEL ON emulates ``slices`` slices (default 2, env ``DWHKIT_UNLOAD_SLICES``), rows
  dealt round-robin, so each slice's files keep the query's ORDER BY order, as on Redshift.
- PARALLEL OFF names files ``<prefix>000``, ``<prefix>001``… with any extension appended
  (``000.gz``): the r_UNLOAD PARALLEL text and the serial VENUE example show three digits; the
  GZIP example's ``0000.gz`` is taken to be the typo.
- Empty slices / zero rows: delimited formats (text, CSV, FIXEDWIDTH) write one file per slice
  even when it got no rows (empty, or just the header with HEADER) — "zero rows may still write
  empty objects"; JSON and Parquet write no file for an empty slice, so zero rows → no objects.
  With PARTITION BY only partitions and slices that received rows get files.
- ALLOWOVERWRITE: without it the UNLOAD fails before running the query if any existing key is one
  this UNLOAD could write (its naming pattern and extension under the prefix, or the manifest).
- CLEANPATH deletes the keys that *start with* the TO string (the same prefix semantics as COPY's
  FROM), after the query has produced its first batch; with PARTITION BY only the folders that
  receive files are cleaned, each just before its first file, and the root manifest is replaced.
- PARTITION BY folder values are the value's Postgres ``::text`` (booleans ``true``/``false``,
  timestamps ``2020-01-01 10:00:00``) percent-escaped as Hive escapes path names (``:`` → ``%3A``,
  ``/`` → ``%2F``…); NULL and ``''`` both go to ``__HIVE_DEFAULT_PARTITION__`` as in Hive.
  Rows are grouped by ordering on the partition columns and the original row position, so only
  one partition's files are open at a time and each keeps the query's order.
- MANIFEST lists, for Parquet, ``meta.content_length`` even without VERBOSE, since COPY needs it
  to read Parquet through a manifest (§1).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from .. import s3 as s3mod
from ..errors import CopyError, UnsupportedError
from . import unload_writers as w

BATCH_ROWS = 2000
DEFAULT_SLICES = 2
MB = 1024 * 1024
DEFAULT_MAXFILESIZE_MB = 6.2 * 1024
PARQUET_ROWGROUP_MB = 32
HIVE_DEFAULT = "__HIVE_DEFAULT_PARTITION__"
# r_UNLOAD "PARTITION BY clause": SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, BOOLEAN, CHAR, VARCHAR,
# DATE, TIMESTAMP (text added: Redshift has no TEXT, it is VARCHAR(256))
PARTITION_OIDS = {21, 23, 20, 1700, 700, 16, 1042, 1043, 25, 1082, 1114}


@dataclass
class UnloadResult:
    rows_unloaded: int
    files: list[str] = field(default_factory=list)
    manifest: str | None = None


# -- checks and query ------------------------------------------------------------------------------

def refuse_unsupported(cmd) -> None:
    """Options dwhkit does not emulate raise UnsupportedError rather than being ignored."""
    if cmd.encrypted or cmd.kms_key_id or cmd.credentials.master_symmetric_key:
        what = ("MASTER_SYMMETRIC_KEY" if cmd.credentials.master_symmetric_key
                else "KMS_KEY_ID" if cmd.kms_key_id else "ENCRYPTED")
        raise UnsupportedError(f"UNLOAD ... {what} (S3 encryption) is not emulated by dwhkit")
    if cmd.format == "CSV" and cmd.escape:
        raise UnsupportedError("UNLOAD ... CSV ESCAPE: Redshift's output for this combination is "
                               "undocumented and COPY CSV refuses ESCAPE; dwhkit does not emulate it")


def _outer_limit(query: str) -> bool:
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(query, read="redshift")
    except sqlglot.errors.SqlglotError:
        return False                 # to_postgres reports the parse error in its own words
    if not isinstance(tree, exp.Query):
        raise CopyError("UNLOAD needs a SELECT query")
    return tree.args.get("limit") is not None or tree.args.get("fetch") is not None


def check_select(query: str) -> None:
    """Refuse an outer LIMIT with Redshift's advice (before any engine sees the query)."""
    if _outer_limit(query):
        raise UnsupportedError("UNLOAD does not allow a LIMIT clause in the outer SELECT; "
                               "nest it in a subquery (select ... where id in (select id ... limit n))")


class UnloadQuery(Protocol):
    """How the engine runs the UNLOAD query (``dwhkit.targets`` implements it).

    ``prepare(query)`` checks and translates it (errors before any S3 traffic); ``rows(prepared,
    partition_by, native_oids, batch_rows)`` is a context manager giving ``(columns, batches)``:
    the result's ``OutColumn``s and lists of row tuples — values as the engine prints them except
    types in ``native_oids``; with ``partition_by`` each row continues with a row position and
    each partition value as text. Leaving it ends the query (rolled back on error)."""

    def prepare(self, query: str): ...

    def rows(self, prepared, partition_by: list[str], native_oids, batch_rows: int): ...


# -- where files go --------------------------------------------------------------------------------

class Layout:
    """Object keys of one UNLOAD: ``<prefix><slice:04>_part_<nn><ext>`` (PARALLEL OFF:
    ``<prefix><nnn><ext>``), under ``<prefix>/col=val/`` folders with PARTITION BY."""

    def __init__(self, cmd):
        self.bucket, prefix = s3mod.split_url(cmd.destination)
        self.partitioned = bool(cmd.partition_by)
        if self.partitioned and prefix and not prefix.endswith("/"):
            prefix += "/"                       # r_UNLOAD: "a forward slash is added if needed"
        self.prefix = prefix
        self.parallel = cmd.parallel is not False
        if cmd.extension:
            self.ext = "." + cmd.extension.lstrip(".")
        elif cmd.format == "PARQUET":
            self.ext = ".parquet"
        else:
            self.ext = w.EXTENSIONS[cmd.compression]
        self.manifest_key = prefix + "manifest"
        folders = r"(?:[^/]+=[^/]*/)+" if self.partitioned else ""
        self._ours = re.compile(rf"{folders}(?:\d{{4}}_part_\d{{2,}}|\d{{3,}}){re.escape(self.ext)}\Z|manifest\Z")

    def key(self, folder: str, slice_no: int, part: int) -> str:
        name = f"{slice_no:04d}_part_{part:02d}" if self.parallel else f"{part:03d}"
        return f"{self.prefix}{folder}{name}{self.ext}"

    def could_write(self, key: str) -> bool:
        return key.startswith(self.prefix) and bool(self._ours.match(key, len(self.prefix)))

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"


_HIVE_ESCAPE = set('"#%\'*/:=?\\{[]^\x7f') | {chr(i) for i in range(1, 32)}


def partition_folder(names, values) -> str:
    """``col=val/…/`` for one partition, values escaped the way Hive escapes path names."""
    parts = []
    for name, value in zip(names, values):
        if value is None or value == "":
            value = HIVE_DEFAULT
        else:
            value = "".join(quote(c, safe="") if c in _HIVE_ESCAPE else c for c in value)
        parts.append(f"{name}={value}/")
    return "".join(parts)


# -- S3 housekeeping -------------------------------------------------------------------------------

def _keys_under(client, bucket: str, prefix: str):
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            yield obj["Key"]


def _delete(client, bucket: str, keys) -> None:
    keys = list(keys)
    for i in range(0, len(keys), 1000):
        client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]],
                                                     "Quiet": True})


def check_overwrite(client, layout: Layout) -> None:
    """Without ALLOWOVERWRITE/CLEANPATH: fail if any file this UNLOAD could write exists."""
    for key in _keys_under(client, layout.bucket, layout.prefix):
        if layout.could_write(key):
            raise CopyError(f"Specified unload destination on S3 is not empty: {layout.url(key)} exists. "
                            "Use ALLOWOVERWRITE to overwrite or CLEANPATH to remove existing files.")


# -- result columns --------------------------------------------------------------------------------

# -- the run ---------------------------------------------------------------------------------------

class _Writers:
    """The open files of one folder (the whole UNLOAD, or one partition): one writer per slice."""

    def __init__(self, run, folder: str):
        self.run, self.folder = run, folder
        self.slices = [run.new_writer(folder, i) for i in range(run.n_slices)]
        self.next = 0

    def write(self, row) -> None:
        self.slices[self.next].write(row)
        self.next = (self.next + 1) % len(self.slices)

    def close(self, *, ensure_files: bool) -> list[w.WrittenFile]:
        files = []
        for writer in self.slices:
            if ensure_files:
                writer.ensure_file()
            writer.close()
            files.extend(writer.files)
        return files

    def abort(self) -> list[w.WrittenFile]:
        files = []
        for writer in self.slices:
            writer.abort()
            files.extend(writer.files)
        return files


class _Run:
    """One UNLOAD's writing settings (encoder, header, size limits); makes the per-slice writers."""

    def __init__(self, cmd, client, layout: Layout, out_cols, n_slices: int):
        self.cmd, self.client, self.layout = cmd, client, layout
        self.out_cols = out_cols
        self.n_slices = n_slices
        fmt = cmd.format or "TEXT"
        self.fmt = fmt
        max_mb = cmd.maxfilesize_mb or DEFAULT_MAXFILESIZE_MB
        if fmt == "PARQUET":              # r_UNLOAD: rounded down to a multiple of 32 MB
            max_mb = max(PARQUET_ROWGROUP_MB, int(max_mb // PARQUET_ROWGROUP_MB) * PARQUET_ROWGROUP_MB)
        self.max_bytes = int(max_mb * MB)
        if fmt == "JSON":
            self.encoder = w.JsonEncoder(out_cols)
        elif cmd.fixedwidth_spec:
            self.encoder = w.FixedWidthEncoder(out_cols, cmd.fixedwidth_spec, cmd.null_as)
        elif fmt != "PARQUET":
            self.encoder = w.DelimitedEncoder(out_cols, csv=fmt == "CSV", delimiter=cmd.delimiter,
                                              null_as=cmd.null_as, addquotes=bool(cmd.addquotes),
                                              escape=bool(cmd.escape))
        self.header = self.encoder.header(out_cols) if cmd.header and fmt != "PARQUET" else b""
        self.cleaned: set[str] = set()

    def on_open(self, key: str) -> None:
        """CLEANPATH with PARTITION BY: empty a partition folder before its first file."""
        if not (self.cmd.cleanpath and self.layout.partitioned):
            return
        folder = key.rsplit("/", 1)[0] + "/"
        if folder not in self.cleaned:
            self.cleaned.add(folder)
            _delete(self.client, self.layout.bucket, list(_keys_under(self.client, self.layout.bucket, folder)))

    def new_writer(self, folder: str, slice_no: int):
        name = lambda part: self.layout.key(folder, slice_no, part)  # noqa: E731
        if self.fmt == "PARQUET":
            rg = int((self.cmd.rowgroupsize_mb or PARQUET_ROWGROUP_MB) * MB)
            return w.ParquetFiles(self.client, self.layout.bucket, name, self.out_cols, self.max_bytes, rg,
                                  on_open=self.on_open)
        return w.PartFiles(self.client, self.layout.bucket, name, self.encoder, self.header,
                           self.cmd.compression, self.max_bytes, on_open=self.on_open)


def _n_slices(cmd, slices: int | None) -> int:
    if cmd.parallel is False:
        return 1
    n = slices if slices is not None else int(os.environ.get("DWHKIT_UNLOAD_SLICES", DEFAULT_SLICES))
    if n < 1:
        raise CopyError(f"UNLOAD needs at least one slice, got {n}")
    return n


def run_unload(query: UnloadQuery, cmd, *, s3_client=None, slices: int | None = None,
               batch_rows: int = BATCH_ROWS) -> UnloadResult:
    """Run one UNLOAD (see the module docstring) with ``query`` running the SELECT.
    Raises CopyError / UnsupportedError / TranslateError."""
    refuse_unsupported(cmd)
    prepared = query.prepare(cmd.query)
    layout = Layout(cmd)
    from .sources import make_client
    client = s3_client or make_client(cmd)
    n_slices = _n_slices(cmd, slices)
    try:
        if not (cmd.allowoverwrite or cmd.cleanpath):
            check_overwrite(client, layout)
        return _execute(query, prepared, cmd, client, layout, n_slices, batch_rows)
    except (ClientError, BotoCoreError) as exc:
        raise CopyError(f"UNLOAD to {cmd.destination} failed writing to S3: {exc}") from exc


class _Progress:
    """What has reached S3 so far, so a failed UNLOAD can take it back."""

    def __init__(self):
        self.written: list[w.WrittenFile] = []
        self.open: _Writers | None = None

    def undo(self, client, bucket: str) -> None:
        files = list(self.written)
        if self.open is not None:
            files.extend(self.open.abort())
        if files:
            try:
                _delete(client, bucket, [f.url.split("/", 3)[3] for f in files])
            except Exception:  # noqa: BLE001 - the original error matters more
                pass


def _execute(query, prepared, cmd, client, layout, n_slices, batch_rows) -> UnloadResult:
    progress = _Progress()
    native = w.PARQUET_NATIVE_OIDS if cmd.format == "PARQUET" else frozenset()
    parts = list(cmd.partition_by or ())
    try:
        with query.rows(prepared, parts, native, batch_rows) as (cols, batches):
            rows, out_cols = _stream(cols, batches, cmd, client, layout, n_slices, progress)
            manifest = _write_manifest(client, layout, cmd, out_cols, progress.written) if cmd.manifest else None
    except BaseException:
        progress.undo(client, layout.bucket)
        raise
    return UnloadResult(rows, [f.url for f in progress.written], manifest)


def _stream(cols, batches, cmd, client, layout, n_slices, progress: _Progress):
    """Deal the rows to the slice writers (per partition folder with PARTITION BY). Returns
    (rows unloaded, the columns written)."""
    parts = list(cmd.partition_by or ())
    ncols = len(cols)
    pidx = _partition_indexes(cols, parts)
    if parts and len(pidx) == ncols:
        raise CopyError("UNLOAD with PARTITION BY needs at least one column that is not a partition column")
    keep = [i for i in range(ncols) if cmd.partition_include or i not in pidx]
    out_cols = [cols[i] for i in keep]
    run = _Run(cmd, client, layout, out_cols, n_slices)
    if cmd.cleanpath and not parts:
        _delete(client, layout.bucket, list(_keys_under(client, layout.bucket, layout.prefix)))
    rows, current = 0, None
    if not parts:
        progress.open = _Writers(run, "")
    for batch in batches:
        for row in batch:
            if parts:
                pkey = row[ncols + 1:]                          # the partition values as text
                if progress.open is None or pkey != current:
                    if progress.open is not None:
                        progress.written.extend(progress.open.close(ensure_files=False))
                    current = pkey
                    progress.open = _Writers(run, partition_folder(parts, pkey))
                row = tuple(row[i] for i in keep)
            progress.open.write(row)
            rows += 1
    if progress.open is not None:
        delimited = cmd.format not in ("JSON", "PARQUET")
        progress.written.extend(progress.open.close(ensure_files=delimited and not parts))
        progress.open = None
    return rows, out_cols


def _partition_indexes(cols, parts) -> set[int]:
    idx = set()
    names = [c.name for c in cols]
    for p in parts:
        i = names.index(p) if p in names else next((j for j, n in enumerate(names) if n.lower() == p.lower()), None)
        if i is None:
            raise CopyError(f"PARTITION BY column {p} is not a column of the UNLOAD query")
        if cols[i].oid not in PARTITION_OIDS:
            raise CopyError(f"PARTITION BY column {p} has type {cols[i].base}, which cannot be a partition key")
        idx.add(i)
    return idx


def _write_manifest(client, layout: Layout, cmd, cols, files) -> str:
    """``<prefix>manifest`` (root of the partitions), §6 and the r_UNLOAD MANIFEST VERBOSE example."""
    verbose = bool(cmd.manifest_verbose)
    parquet = cmd.format == "PARQUET"
    entries = []
    for f in files:
        entry: dict = {"url": f.url}
        if verbose:
            entry["meta"] = {"content_length": f.content_length, "record_count": f.record_count}
        elif parquet:
            entry["meta"] = {"content_length": f.content_length}
        entries.append(entry)
    body: dict = {"entries": entries}
    if verbose:
        body["schema"] = {"elements": [{"name": c.name, "type": c.manifest_type()} for c in cols]}
        body["meta"] = {"content_length": sum(f.content_length for f in files),
                        "record_count": sum(f.record_count for f in files)}
        body["author"] = {"name": "Amazon Redshift", "version": "1.0.0"}
    client.put_object(Bucket=layout.bucket, Key=layout.manifest_key,
                      Body=json.dumps(body, indent=2).encode("utf-8"))
    return layout.url(layout.manifest_key)
