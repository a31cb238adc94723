"""Quoting for identifiers and literals that come from config, manifests or users.

Values go to the database as bound parameters wherever the driver allows; these helpers are for
the places SQL has no parameters: identifiers, and literals inside generated COPY statements.
"""
from __future__ import annotations

import re

_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")


def quote_ident(name: str) -> str:
    """Double-quote an identifier (Redshift folds to lower case, so we do too)."""
    if "\x00" in name:
        raise ValueError("identifier contains a NUL byte")
    name = name.lower()
    return '"' + name.replace('"', '""') + '"'


def quote_qualified(name: str) -> str:
    """'schema.table' → "schema"."table" (each part quoted)."""
    return ".".join(quote_ident(part) for part in name.split("."))


def quote_literal(value: str) -> str:
    """A SQL string literal: single quotes doubled. Backslashes are literal in both dialects."""
    if "\x00" in value:
        raise ValueError("string literal contains a NUL byte")
    return "'" + value.replace("'", "''") + "'"
