"""sqlglot's parse errors in plain words: where (a 0-based position in the statement), what
("syntax error near 'WHERE': expected ')'"), and what was probably meant ("did you mean FROM?").

sqlglot's own messages name its classes ("Required keyword: 'this' missing for <class
'sqlglot.expressions.query.Where'>"); those never reach the user. Its ``ParseError.errors``
carry line, column (of the token's last character) and the token's text, which is all we need.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from dwhkit.compat.split import unterminated
from dwhkit.errors import SourceLocated

# What a misspelled word is compared with (Redshift's statement and clause keywords).
KEYWORDS = (
    "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "TRUNCATE", "WITH", "MERGE",
    "GRANT", "REVOKE", "BEGIN", "COMMIT", "ROLLBACK", "ANALYZE", "VACUUM", "UNLOAD", "COPY", "EXPLAIN",
    "FROM", "WHERE", "GROUP BY", "ORDER BY", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET", "TOP",
    "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL", "USING", "UNION",
    "INTERSECT", "EXCEPT", "MINUS", "INTO", "VALUES", "SET", "TABLE", "DISTINCT", "CASE", "WHEN",
    "THEN", "ELSE", "END", "AND", "BETWEEN", "LIKE", "ILIKE", "SIMILAR", "EXISTS", "PARTITION", "OVER",
    "QUALIFY", "RETURNING", "DEFAULT", "PRIMARY", "FOREIGN", "REFERENCES", "DISTKEY", "SORTKEY",
    "DISTSTYLE", "INTERLEAVED", "COMPOUND", "ENCODE", "IDENTITY", "TEMPORARY", "VIEW", "SCHEMA",
)

_CLASS = re.compile(r"<class '[\w.]*?\.?(\w+)'>")
_EXPECTED = re.compile(r"^Expect(?:ed|ing) (.+?)(?: but got .*)?$", re.S)


@dataclass(frozen=True)
class Problem:
    reason: str
    position: int | None
    hint: str | None = None


def explain(err: ParseError | TokenError, sql: str, tokenize) -> Problem:
    """``err`` raised while parsing ``sql`` → a plain problem. ``tokenize(sql)`` gives sqlglot's
    tokens (to find the misspelled keyword near the error)."""
    if isinstance(err, TokenError):
        pos = unterminated(sql)
        if pos is not None:
            return Problem("unterminated quoted text or comment", pos)
        return Problem("cannot read the statement (an unexpected character?)", None)
    info = (getattr(err, "errors", None) or [{}])[0]
    line, col, near = info.get("line"), info.get("col"), info.get("highlight") or ""
    description = str(info.get("description") or "")
    pos = None
    if line and col:
        starts = [0] + [m.end() for m in re.finditer("\n", sql)]
        if line <= len(starts):
            pos = max(0, min(len(sql), starts[line - 1] + col - len(near)))
    problem = Problem(_reason(description, near), pos)
    return _misspelling(sql, pos, tokenize) or problem


def _reason(description: str, near: str) -> str:
    where = f"syntax error near {near!r}" if near.strip() else "syntax error"
    m = _EXPECTED.match(description)
    if m and "<" not in m.group(1):
        what = m.group(1).strip()
        what = f"'{what}'" if len(what) == 1 else ("a " + what if what in ("table name", "expression") else what)
        return f"{where}: expected {what}"
    if description.startswith("Required keyword"):
        cls = _CLASS.search(description)
        if cls and cls.group(1).upper() in KEYWORDS:
            return f"{where}: {cls.group(1).upper()} is incomplete"
        return f"{where}: something is missing here"
    return where


def _misspelling(sql: str, pos: int | None, tokenize) -> Problem | None:
    """A plain word (not a keyword to sqlglot) at or just before the error, or the statement's
    first word, that looks like a misspelled keyword: point there instead."""
    try:
        tokens = [t for t in tokenize(sql) if t.token_type != TokenType.SEMICOLON]
    except Exception:  # noqa: BLE001 - no tokens, no hint
        return None
    if not tokens:
        return None
    at = len(tokens) - 1 if pos is None else max(
        [i for i, t in enumerate(tokens) if t.start <= pos] or [0])
    candidates = [tokens[i] for i in (at, at - 1) if 0 <= i < len(tokens)] + [tokens[0]]
    for tok in candidates:
        if tok.token_type == TokenType.VAR and (hint := SourceLocated.closest(tok.text, KEYWORDS)):
            return Problem(f"syntax error near {tok.text!r}", tok.start, hint)
    return None
