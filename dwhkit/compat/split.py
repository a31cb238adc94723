"""Split a Redshift script into statements without parsing it.

sqlglot cannot parse COPY or UNLOAD, so splitting must not depend on the grammar: a small
scanner that knows where ';' cannot end a statement ('…' strings, "…" identifiers, $tag$
bodies and comments) is enough, and keeps each statement's original text.
"""
from __future__ import annotations

import re

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_IDENT_CHAR = re.compile(r"[A-Za-z0-9_$]")


def _skip_quoted(sql: str, i: int, quote: str) -> int:
    """Index just past the literal opened at sql[i]; '' (or "") is an escaped quote.

    Inside '…' a backslash escapes the next character, as Redshift's string literals allow
    (r_Literals: `\\'`); sqlglot's Redshift tokenizer reads them the same way.
    """
    n = len(sql)
    i += 1
    while i < n:
        ch = sql[i]
        if ch == "\\" and quote == "'":
            i += 2
            continue
        if ch == quote:
            if i + 1 < n and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _skip_block_comment(sql: str, i: int) -> int:
    """Index just past the /* … */ comment at sql[i] (nested, as in PostgreSQL)."""
    depth, n = 0, len(sql)
    while i < n:
        if sql.startswith("/*", i):
            depth += 1
            i += 2
        elif sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def _scan(sql: str):
    """Yield (start, end, has_code) for each top-level ';'-separated chunk."""
    n, i, start, has_code = len(sql), 0, 0, False
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            i = _skip_quoted(sql, i, ch)
            has_code = True
        elif sql.startswith("--", i):
            nl = sql.find("\n", i)
            i = n if nl < 0 else nl + 1
        elif sql.startswith("/*", i):
            i = _skip_block_comment(sql, i)
        elif ch == "$" and (i == 0 or not _IDENT_CHAR.match(sql[i - 1])) and (m := _DOLLAR_TAG.match(sql, i)):
            close = sql.find(m.group(0), m.end())
            i = n if close < 0 else close + len(m.group(0))
            has_code = True
        elif ch == ";":
            yield start, i, has_code
            i += 1
            start, has_code = i, False
        else:
            if not ch.isspace():
                has_code = True
            i += 1
    yield start, n, has_code


def split_statements(sql: str) -> list[str]:
    """Each statement's original text, stripped, without its ';'; comment-only chunks dropped."""
    return [text for _, text in statement_spans(sql)]


def statement_spans(sql: str) -> list[tuple[int, str]]:
    """Like ``split_statements``, with the offset in ``sql`` where each statement's text starts
    (so an error inside a statement can be pointed at in the whole file)."""
    out = []
    for a, b, code in _scan(sql):
        if code:
            chunk = sql[a:b]
            out.append((a + len(chunk) - len(chunk.lstrip()), chunk.strip()))
    return out


def code_parts(sql: str):
    """Yield (start, end, is_code): the text outside literals, identifiers, $-bodies and
    comments is code; the rest is yielded whole, so the parts concatenate back to ``sql``.
    An unterminated literal or comment runs to the end."""
    n, i, start = len(sql), 0, 0
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            end = _skip_quoted(sql, i, ch)
        elif sql.startswith("--", i):
            nl = sql.find("\n", i)
            end = n if nl < 0 else nl + 1
        elif sql.startswith("/*", i):
            end = _skip_block_comment(sql, i)
        elif ch == "$" and (i == 0 or not _IDENT_CHAR.match(sql[i - 1])) and (m := _DOLLAR_TAG.match(sql, i)):
            close = sql.find(m.group(0), m.end())
            end = n if close < 0 else close + len(m.group(0))
        else:
            i += 1
            continue
        if start < i:
            yield start, i, True
        yield i, end, False
        start = i = end
    if start < n:
        yield start, n, True


def sub_in_code(pattern: re.Pattern, repl, sql: str) -> str:
    """``pattern.sub(repl, …)`` applied only to the code of ``sql`` (never inside literals)."""
    return "".join(pattern.sub(repl, sql[a:b]) if code else sql[a:b] for a, b, code in code_parts(sql))


def unterminated(sql: str) -> int | None:
    """Where an unterminated literal or comment starts (None when everything is closed)."""
    for a, b, code in code_parts(sql):
        if not code and b == len(sql):
            part = sql[a:b]
            if part[0] in "'\"" and not (len(part) > 1 and part.endswith(part[0])):
                return a
            if part.startswith("/*") and not part.endswith("*/"):
                return a
            if part[0] == "$" and not (len(part) > 2 and part.endswith(_DOLLAR_TAG.match(part).group(0))
                                       and len(part) >= 2 * len(_DOLLAR_TAG.match(part).group(0))):
                return a
    return None


_LEADING_NOISE = re.compile(r"\s*(?:--[^\n]*(?:\n|$)|/\*.*?\*/\s*)*", re.S)


def first_keyword(statement: str) -> str:
    """The statement's first word, upper-cased, after any leading comments and opening
    parentheses ('' if none). dwhkit's one statement classifier: the targets' executors (COPY,
    UNLOAD, DDL), ``dwh check`` and the translator all ask it."""
    rest = statement[_LEADING_NOISE.match(statement).end():]
    m = re.match(r"\(*\s*([A-Za-z_#]+)", rest)
    return m.group(1).upper() if m else ""


def is_copy_or_unload(statement: str) -> bool:
    """True for COPY and UNLOAD, which dwhkit emulates instead of translating."""
    return first_keyword(statement) in {"COPY", "UNLOAD"}
