"""The parsed form of a Redshift COPY statement: what the grammar produces and the loader reads.

Field names follow AWS's parameter names. ``None`` means "not given" (the loader applies
Redshift's default), so the loader can tell an explicit option from a default.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Credentials:
    """How the statement authorises S3. dwhkit always reaches S3 through boto3's own credential
    chain and endpoint; explicit keys given in the statement are used for that COPY only."""

    method: str = "none"            # iam_role | keys | credentials | none
    iam_role: str | None = None     # 'default' or an ARN
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    # client-side encryption key: MASTER_SYMMETRIC_KEY or the credentials string's master_symmetric_key
    master_symmetric_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CopyCommand:
    table: str                                   # unqualified table name, lower-cased unless quoted
    schema: str | None = None
    columns: tuple[str, ...] | None = None
    source: str = ""                             # 's3://bucket/key-prefix'
    credentials: Credentials = field(default_factory=Credentials)
    # data source
    manifest: bool = False
    region: str | None = None
    encrypted: bool = False
    # format: TEXT (default, pipe-delimited) | CSV | JSON | FIXEDWIDTH | PARQUET | ORC | AVRO
    format: str = "TEXT"
    json_spec: str | None = None                 # 'auto' | 'auto ignorecase' | 's3://…jsonpaths' | 'noshred'
    avro_spec: str | None = None
    quote: str | None = None                     # CSV QUOTE AS; default '"'
    delimiter: str | None = None                 # default '|' (text) or ',' (CSV)
    fixedwidth_spec: str | None = None           # 'label:width,…'
    compression: str | None = None               # GZIP | BZIP2 | ZSTD | LZOP
    # data conversion
    acceptanydate: bool = False
    acceptinvchars: str | None = None            # replacement char when given ('?' by default)
    blanksasnull: bool = False
    dateformat: str | None = None
    emptyasnull: bool = False
    encoding: str | None = None                  # UTF8 | UTF16 | UTF16LE | UTF16BE
    escape: bool = False
    explicit_ids: bool = False
    fillrecord: bool = False
    ignoreblanklines: bool = False
    ignoreheader: int = 0
    null_as: str | None = None
    removequotes: bool = False
    roundec: bool = False
    timeformat: str | None = None                # 'auto' | 'epochsecs' | 'epochmillisecs' | pattern
    trimblanks: bool = False
    truncatecolumns: bool = False
    # data load
    maxerror: int | None = None
    ignoreallerrors: bool = False
    noload: bool = False
    comprows: int | None = None
    compupdate: str | None = None
    statupdate: str | None = None
    # COPY JOB (auto-copy); None when this is a plain COPY
    job: tuple[str, ...] | None = None
    # the statement as written, secrets masked, for error messages and stl tables
    text: str = ""
    # added after the loader shipped (kept last so positional construction still works)
    serializetojson: bool = False                # PARQUET/ORC nested columns into SUPER
    simplify: str | None = None                  # SHAPEFILE SIMPLIFY: 'auto' (oversized only) | 'all'
    simplify_tolerance: float | None = None      # SIMPLIFY [AUTO] max_tolerance


@dataclass(frozen=True)
class UnloadCommand:
    """The parsed form of a Redshift UNLOAD statement. Every option is ``None`` when not given,
    so the writer applies Redshift's default and can tell it from an explicit choice."""

    query: str                                   # the SELECT, quotes un-doubled
    destination: str                             # 's3://bucket/name-prefix'
    credentials: Credentials = field(default_factory=Credentials)
    format: str | None = None                    # None = pipe-delimited text | CSV | JSON | PARQUET
    partition_by: tuple[str, ...] | None = None
    partition_include: bool | None = None
    manifest: bool | None = None
    manifest_verbose: bool | None = None
    header: bool | None = None
    delimiter: str | None = None                 # decoded: '\t' is a tab
    fixedwidth_spec: str | None = None
    encrypted: bool | None = None
    encrypted_auto: bool | None = None
    kms_key_id: str | None = None
    compression: str | None = None               # GZIP | BZIP2 | ZSTD
    addquotes: bool | None = None
    null_as: str | None = None
    escape: bool | None = None
    allowoverwrite: bool | None = None
    cleanpath: bool | None = None
    parallel: bool | None = None                 # PARALLEL OFF/FALSE -> False
    maxfilesize_mb: float | None = None          # MAXFILESIZE in MB (GB converted, 1 GB = 1024 MB)
    rowgroupsize_mb: float | None = None
    region: str | None = None
    extension: str | None = None
    text: str = ""                               # the statement as written, secrets masked
