"""Bind parameters in any DB-API paramstyle, rewritten to the pyformat psycopg2 takes.

Why: dwhkit's connection binds through psycopg2 (``%s`` / ``%(name)s``), but redshift_connector
lets a cursor use any of the five DB-API styles (``cursor.paramstyle``; the module default is
``format``), and psycopg2 reads ``%`` everywhere, literals included. The scanner below walks the
statement once, leaves quoted strings, quoted identifiers and comments alone except for doubling
their ``%``, and turns each placeholder into psycopg2's.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

STYLES = ("qmark", "numeric", "named", "format", "pyformat")

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = re.compile(r"[0-9]+")
_PYFORMAT_NAME = re.compile(r"%\(([^)]+)\)s")


class ParamStyleError(ValueError):
    """A placeholder the statement's paramstyle does not allow, or parameters that do not fit."""


def _quoted_end(sql: str, i: int) -> int:
    """Index just past the quoted string, identifier or comment starting at ``sql[i]`` (or i)."""
    c = sql[i]
    if c in "'\"":
        j = i + 1
        while j < len(sql):
            if sql[j] == "\\" and c == "'" and i > 0 and sql[i - 1] in "eE":
                j += 2
                continue
            if sql[j] == c:
                if j + 1 < len(sql) and sql[j + 1] == c:  # '' or "" inside: still quoted
                    j += 2
                    continue
                return j + 1
            j += 1
        return len(sql)
    if sql.startswith("--", i):
        j = sql.find("\n", i)
        return len(sql) if j < 0 else j + 1
    if sql.startswith("/*", i):
        j = sql.find("*/", i + 2)
        return len(sql) if j < 0 else j + 2
    return i


def to_pyformat(sql: str, params, style: str) -> tuple[str, object]:
    """``(sql, params)`` as psycopg2 binds them; ``params`` None means nothing to bind.

    A statement with no placeholders is returned with no parameters and its text as the driver
    would have sent it (no ``%`` doubled), so psycopg2 does not read its ``%`` either."""
    if style not in STYLES:
        raise ParamStyleError(f"unknown paramstyle {style!r}; one of {', '.join(STYLES)}")
    if params is None:
        return sql, None
    out: list[str] = []
    ordered: list = []          # qmark / numeric / format: the values in placeholder order
    names: set[str] = set()
    count = 0
    i = 0
    n = len(sql)
    while i < n:
        end = _quoted_end(sql, i)
        if end != i:
            out.append(sql[i:end].replace("%", "%%"))
            i = end
            continue
        c = sql[i]
        nxt = sql[i + 1] if i + 1 < n else ""
        prev = sql[i - 1] if i else ""
        if style == "qmark" and c == "?":
            out.append("%s")
            ordered.append(count)
            count += 1
            i += 1
        elif style in ("numeric", "named") and c == ":" and nxt not in ":=" and prev != ":":
            m = (_DIGITS if style == "numeric" else _NAME).match(sql, i + 1)
            if not m:
                out.append(c)
                i += 1
                continue
            if style == "numeric":
                out.append("%s")
                ordered.append(int(m.group(0)) - 1)
            else:
                out.append(f"%({m.group(0)})s")
                names.add(m.group(0))
            count += 1
            i = m.end()
        elif c == "%" and style in ("format", "pyformat"):
            m = _PYFORMAT_NAME.match(sql, i) if style == "pyformat" else None
            if nxt == "%":
                out.append("%%")
                i += 2
            elif nxt == "s":
                out.append("%s")
                ordered.append(len(ordered))
                count += 1
                i += 2
            elif m:
                out.append(m.group(0))
                names.add(m.group(1))
                count += 1
                i = m.end()
            else:
                raise ParamStyleError("Only %s and %% are supported in the query.")
        elif c == "%":
            out.append("%%")
            i += 1
        else:
            out.append(c)
            i += 1
    if count == 0:
        # Nothing to bind: the text goes as written (format's %% still means one %).
        return (sql.replace("%%", "%") if style in ("format", "pyformat") else sql), None
    if names:
        if not isinstance(params, Mapping):
            raise ParamStyleError(f"paramstyle {style!r} with named placeholders needs a mapping of parameters")
        missing = sorted(names - set(params))
        if missing:
            raise ParamStyleError(f"no value for parameter(s) {', '.join(missing)}")
        return "".join(out), dict(params)
    if isinstance(params, Mapping) or not isinstance(params, Sequence) or isinstance(params, (str, bytes)):
        raise ParamStyleError(f"paramstyle {style!r} needs a sequence of parameters")
    if style in ("format", "pyformat"):
        return "".join(out), tuple(params)  # psycopg2 itself says when the counts differ
    try:
        values = tuple(params[k] for k in ordered)
    except IndexError:
        raise ParamStyleError(f"the statement has {count} placeholder(s) but {len(params)} parameter(s) "
                              "were given") from None
    return "".join(out), values
