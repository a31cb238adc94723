"""Quoting for identifiers and literals that come from config, manifests or users.

Values go to the database as bound parameters wherever the driver allows; these helpers are for
the places SQL has no parameters: identifiers, and literals inside generated COPY statements.

Two identifier quoters, because a name means different things depending on where it comes from:
a name written in Redshift SQL (a warehouse's table, a config value, a user's COPY target) folds
to lower case as Redshift folds it; a name read back from the catalog is already the stored name
and must be quoted exactly as it is.
https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
"""
from __future__ import annotations


def _quoted(name: str) -> str:
    if "\x00" in name:
        raise ValueError("identifier contains a NUL byte")
    return '"' + name.replace('"', '""') + '"'


def quote_ident(name: str) -> str:
    """A Redshift identifier from SQL or config, double-quoted: folded to lower case first, as
    Redshift folds identifiers (quoted ones too, unless enable_case_sensitive_identifier is on)."""
    return _quoted(name.lower())


def quote_catalog_name(name: str) -> str:
    """A name read from the catalog (a column of an existing table), double-quoted as it is:
    folding it would name another column when the stored name has capitals."""
    return _quoted(name)


def quote_qualified(name: str) -> str:
    """'schema.table' → "schema"."table" (each part quoted)."""
    return ".".join(quote_ident(part) for part in name.split("."))


def quote_literal(value: str) -> str:
    """A SQL string literal: single quotes doubled. Backslashes are literal in both dialects."""
    if "\x00" in value:
        raise ValueError("string literal contains a NUL byte")
    return "'" + value.replace("'", "''") + "'"
