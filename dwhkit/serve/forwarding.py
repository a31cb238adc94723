"""What to send the backend for a client's Query or Parse message, cached by the message's bytes.

Why a cache keyed by bytes: a client repeats its statements (a driver's catalog queries, an
application's few queries), and the round trip the endpoint adds must stay small (bench/serve.py),
so the common case — a statement forwarded as translated — costs one dictionary lookup.

The translation of a message's SQL depends on its text and the server's system catalog, and on
nothing in the session: session settings are applied by Postgres when the translated statement
runs (search_path, timezone, datestyle), and the Redshift-only ones the translator would need
(enable_case_sensitive_identifier) are recorded, not emulated (rewrite.py). So one cache serves
every session (tests/test_serve_forwarding.py runs one text on two search paths).
"""
from __future__ import annotations

import functools
import re

from . import wire
from .rewrite import plan_query, plan_statement

CACHED_MESSAGE_BYTES = 65536  # longer texts (bulk INSERTs) are translated each time, not kept
# Whether a message may run LISTEN: a plain word search (a false "yes" only costs a select per wait).
_LISTEN = re.compile(rb"listen", re.I)


def forwarded_query(raw: bytes, catalog) -> tuple[bytes | None, bool]:
    """A Query message → (the Query message to forward when it is one forwarded step, else None;
    whether it may LISTEN)."""
    return (_query if len(raw) <= CACHED_MESSAGE_BYTES else _query.__wrapped__)(raw, catalog)


def forwarded_parse(raw: bytes, catalog) -> tuple[bytes | None, bool]:
    """A Parse message → (the Parse message to forward when its statement is forwarded, else None;
    whether it may LISTEN)."""
    return (_parse if len(raw) <= CACHED_MESSAGE_BYTES else _parse.__wrapped__)(raw, catalog)


@functools.lru_cache(maxsize=4096)
def _query(raw: bytes, catalog) -> tuple[bytes | None, bool]:
    listens = _LISTEN.search(raw) is not None
    text = wire.read_cstr(raw, 5)[0]
    steps = plan_query(text, catalog)
    if not steps:
        return raw, listens
    if len(steps) > 1 or steps[0].kind != "forward":
        return None, listens
    return (raw if steps[0].sql == text else wire.message(b"Q", wire.cstr(steps[0].sql))), listens


@functools.lru_cache(maxsize=4096)
def _parse(raw: bytes, catalog) -> tuple[bytes | None, bool]:
    listens = _LISTEN.search(raw) is not None
    name, text, pos = wire.parse_message_parts(raw)
    step = plan_statement(text, catalog)
    if step.kind != "forward":
        return None, listens
    return (raw if step.sql == text else wire.build_parse(name, step.sql, raw[pos:])), listens
