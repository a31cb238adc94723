"""Our own grammar for Redshift's UNLOAD statement (sqlglot does not parse it).

Same machinery as COPY (``grammar``): a tokenizer, one table of parameters, and the
incompatibilities as data. Reference: https://docs.aws.amazon.com/redshift/latest/dg/r_UNLOAD.html
and /work/shared/REDSHIFT-SEMANTICS.md §6.
"""
from __future__ import annotations

from typing import Any

from dwhkit.copy.grammar import (
    AUTH_PARAMS, TokenStream, Param, build_credentials, check_fixedwidth, check_rules,
    choice, decode_char, flag, leading_word, masked_text, read_options, string,
)
from dwhkit.copy.options import UnloadCommand

__all__ = ["parse_unload", "is_unload_statement", "UNLOAD_PARAMS"]


def _size(lo_mb: float, hi_mb: float):
    """``KW [AS] n [MB | GB]`` -> megabytes (default unit MB; 1 GB = 1024 MB)."""

    def read(ts: TokenStream, kw: str) -> float:
        ts.word("AS")
        tok = ts.number(kw)
        unit = ts.word("MB", "GB")
        mb = float(tok.value) * (1024 if unit and unit.value.upper() == "GB" else 1)
        if not lo_mb <= mb <= hi_mb:
            raise ts.error(f"{kw} {tok.value}{' ' + unit.value if unit else ''} is outside "
                            f"{lo_mb:g} MB .. {hi_mb:g} MB", tok)
        return mb

    return read


def _partition_by(ts: TokenStream, kw: str) -> dict[str, Any]:
    """``PARTITION BY (col [, …]) [INCLUDE]``"""
    ts.expect_word("BY", after="PARTITION")
    cols = ts.identifier_list("PARTITION BY")
    return {"partition_by": cols, "partition_include": True if ts.word("INCLUDE") else None}


def _manifest(ts: TokenStream, kw: str) -> dict[str, Any]:
    return {"manifest": True, "manifest_verbose": True if ts.word("VERBOSE") else None}


def _encrypted(ts: TokenStream, kw: str) -> dict[str, Any]:
    return {"encrypted": True, "encrypted_auto": True if ts.word("AUTO") else None}


_FORMAT, _COMPRESSION = "format", "compression"

UNLOAD_PARAMS: dict[str, Param] = {
    **AUTH_PARAMS,                         # IAM_ROLE, [WITH] CREDENTIALS, keys, MASTER_SYMMETRIC_KEY
    "CSV": Param(_FORMAT, flag("CSV"), slot=_FORMAT),        # FORMAT [AS] prefixes these three
    "JSON": Param(_FORMAT, flag("JSON"), slot=_FORMAT),
    "PARQUET": Param(_FORMAT, flag("PARQUET"), slot=_FORMAT),
    "PARTITION": Param(None, _partition_by),
    "MANIFEST": Param(None, _manifest),
    "HEADER": Param("header", flag()),
    "DELIMITER": Param("delimiter", string(as_=True, check=decode_char)),
    "FIXEDWIDTH": Param("fixedwidth_spec", string(as_=True, check=check_fixedwidth)),
    # AMBIG: ENCRYPTED with no key named is accepted (the writer picks SSE); COPY needs the key
    "ENCRYPTED": Param(None, _encrypted),
    "KMS_KEY_ID": Param("kms_key_id", string()),   # a key's id, not key material: shown in text
    "BZIP2": Param(_COMPRESSION, flag("BZIP2"), slot=_COMPRESSION),
    "GZIP": Param(_COMPRESSION, flag("GZIP"), slot=_COMPRESSION),
    "ZSTD": Param(_COMPRESSION, flag("ZSTD"), slot=_COMPRESSION),
    "ADDQUOTES": Param("addquotes", flag()),
    "NULL": Param("null_as", string(as_=True)),
    "ESCAPE": Param("escape", flag()),
    "ALLOWOVERWRITE": Param("allowoverwrite", flag()),
    "CLEANPATH": Param("cleanpath", flag()),
    "PARALLEL": Param("parallel", choice({"ON": True, "TRUE": True, "OFF": False, "FALSE": False}, default=True)),
    "MAXFILESIZE": Param("maxfilesize_mb", _size(5, 6.2 * 1024)),
    "ROWGROUPSIZE": Param("rowgroupsize_mb", _size(32, 128)),
    "REGION": Param("region", string(as_=True)),
    "EXTENSION": Param("extension", string()),
}

# (option, options Redshift refuses alongside it) — r_UNLOAD and REDSHIFT-SEMANTICS §6
UNLOAD_EXCLUSIVE: list[tuple[str, tuple[str, ...]]] = [
    ("CSV", ("FIXEDWIDTH", "ADDQUOTES")),
    ("PARQUET", ("DELIMITER", "FIXEDWIDTH", "ADDQUOTES", "ESCAPE", "NULL", "HEADER", "GZIP", "BZIP2", "ZSTD",
                 "MASTER_SYMMETRIC_KEY")),   # Parquet encrypts with SSE-KMS only
    ("JSON", ("DELIMITER", "HEADER", "FIXEDWIDTH", "ADDQUOTES", "ESCAPE", "NULL")),
    ("FIXEDWIDTH", ("DELIMITER", "HEADER")),
    ("CLEANPATH", ("ALLOWOVERWRITE",)),
    ("KMS_KEY_ID", ("CREDENTIALS", "MASTER_SYMMETRIC_KEY")),
    ("MASTER_SYMMETRIC_KEY", ("CREDENTIALS",)),
]
UNLOAD_REQUIRES: list[tuple[str, tuple[str, ...]]] = [
    ("KMS_KEY_ID", ("ENCRYPTED",)),
    ("MASTER_SYMMETRIC_KEY", ("ENCRYPTED",)),
    ("ROWGROUPSIZE", ("PARQUET",)),
    ("SESSION_TOKEN", ("ACCESS_KEY_ID",)),
    ("ACCESS_KEY_ID", ("SECRET_ACCESS_KEY",)),
    ("SECRET_ACCESS_KEY", ("ACCESS_KEY_ID",)),
]


def is_unload_statement(sql: str) -> bool:
    """True when the statement starts with UNLOAD (comments and whitespace skipped)."""
    return leading_word(sql) == "UNLOAD"


def parse_unload(sql: str) -> UnloadCommand:
    """Parse ``UNLOAD ('select …') TO 's3://…' <auth> [options]`` into an ``UnloadCommand``.

    The query comes back with its doubled quotes undone. Raises ``CopySyntaxError`` for
    anything Redshift refuses. An outer LIMIT in the query is left for the executor to refuse."""
    ts = TokenStream(sql, "UNLOAD")
    ts.expect_word("UNLOAD")
    ts.expect_punct("(", "UNLOAD")
    query = ts.string("UNLOAD ( … )")
    ts.expect_punct(")", "the UNLOAD query")
    to = ts.expect_word("TO", after="the UNLOAD query")
    destination = ts.string("TO")
    if not destination.lower().startswith("s3://"):
        raise ts.error(f"UNLOAD writes to Amazon S3 only: TO expects 's3://…', got {destination!r}", to)

    opts = read_options(ts, UNLOAD_PARAMS)
    ts.finish()
    check_rules(ts, opts.given, UNLOAD_EXCLUSIVE, UNLOAD_REQUIRES, {})
    credentials = build_credentials(ts, opts)
    if opts.values.get("encrypted_auto"):
        # ENCRYPTED AUTO takes the bucket's KMS key: no other key may be named
        clash = [kw for kw in ("KMS_KEY_ID", "MASTER_SYMMETRIC_KEY") if kw in opts.given]
        if clash or credentials.master_symmetric_key:
            what = clash[0] if clash else "CREDENTIALS with master_symmetric_key"
            raise ts.error(f"ENCRYPTED AUTO cannot be combined with {what}", opts.given["ENCRYPTED"])
    if opts.values.get("format") == "PARQUET" and credentials.master_symmetric_key:
        raise ts.error("PARQUET is encrypted with SSE-KMS only, not a master_symmetric_key", opts.given["PARQUET"])
    return UnloadCommand(query=query, destination=destination, credentials=credentials,
                         text=masked_text(sql, opts.masks), **opts.values)

