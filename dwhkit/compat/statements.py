"""Redshift statements sqlglot only reads as raw commands (VACUUM, ALTER TABLE APPEND, SET …)
and the few parsed ones that need a statement-level answer rather than an AST rewrite."""
from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.dialects.redshift import Redshift

from dwhkit.compat import settings
from dwhkit.errors import TranslateError, UnsupportedError

NO_OP = "SELECT 1"
# What SHOW names (sqlglot keeps the rest of a SHOW as one string): NAME, CONTEXT.NAME or TIME ZONE;
# SHOW TABLES, SHOW COLUMNS … are other statements.
_PARAMETER = re.compile(r"^(?:time\s+zone|[a-z_][\w$]*(?:\s*\.\s*[a-z_][\w$]*)?)$", re.I)



def _words(text: str) -> list[str]:
    """The statement's tokens' texts, via sqlglot's Redshift tokenizer (strings stay whole)."""
    return [t.text for t in Redshift().tokenize(text)]


def command(tree: exp.Command, text: str) -> list[str]:
    """Statements sqlglot keeps as raw text."""
    words = _words(text)
    head = words[0].upper() if words else ""
    upper = [w.upper() for w in words]
    if head == "VACUUM":
        # r_VACUUM_command: VACUUM [FULL|SORT ONLY|DELETE ONLY|REINDEX|RECLUSTER] [t] [TO n PERCENT]
        # [BOOST] re-sorts and reclaims space; it changes no query result. Postgres refuses VACUUM
        # inside a transaction block (and dwhkit runs steps in transactions), and autovacuum does
        # the job anyway, so every VACUUM becomes a no-op rather than a plain VACUUM.
        return [NO_OP]
    if upper[:2] == ["ALTER", "TABLE"] and "APPEND" in upper:
        return [*_append(words)]
    if head in ("SET", "RESET"):
        at = 2 if len(words) > 2 and upper[1] in ("SESSION", "LOCAL") else 1
        custom = settings.set_name(words[at]) if len(words) > at else None
        if custom is not None:
            # r_SET: a Redshift-only parameter becomes its custom setting (compat/settings.py)
            return [" ".join([*words[:at], custom, *words[at + 1:]])]
        return [text]
    if head == "SHOW" and len(words) == 2 and _PARAMETER.match(words[1].strip()):
        # r_SHOW: SHOW { parameter_name | ALL } | SHOW variable_name (a dotted context variable)
        name = re.sub(r"\s+", "", words[1])
        return [settings.show(name)]
    if head == "ANALYZE":
        return _analyze(words, text)
    raise UnsupportedError(f"{' '.join(words[:3])}: statement not supported on Postgres targets")


def _append(words: list[str]) -> list[str]:
    """r_ALTER_TABLE_APPEND: ALTER TABLE target APPEND FROM source [IGNOREEXTRA | FILLTARGET].

    Moves every row and leaves the source empty: an INSERT … SELECT then a DELETE (rather than
    TRUNCATE, so both stay inside the caller's transaction). Like-named columns must match, so
    SELECT * is right whenever Redshift would accept the statement with no option.
    """
    upper = [w.upper() for w in words]
    try:
        i = upper.index("APPEND")
    except ValueError:  # pragma: no cover - guarded by caller
        raise TranslateError("ALTER TABLE APPEND: malformed")
    target = "".join(words[2:i])
    rest = words[i + 1:]
    if not rest or rest[0].upper() != "FROM" or len(rest) < 2:
        raise TranslateError("ALTER TABLE APPEND needs FROM source_table")
    j = 1
    source = ""
    while j < len(rest) and (not source or rest[j] == "." or source.endswith(".")):
        source += rest[j]
        j += 1
    options = [w.upper() for w in rest[j:]]
    if options:
        raise UnsupportedError(f"ALTER TABLE APPEND option {' '.join(options)} is not supported")
    target, source = _ident(target), _ident(source)
    return [f"INSERT INTO {target} SELECT * FROM {source}", f"DELETE FROM {source}"]


def _ident(name: str) -> str:
    table = exp.to_table(name, dialect="redshift")
    for ident in table.find_all(exp.Identifier):
        ident.set("this", ident.this.lower().lstrip("#"))
    return table.sql("postgres")


def _analyze(words: list[str], text: str) -> list[str]:
    """r_ANALYZE: ANALYZE [VERBOSE] [t [(cols)]] [PREDICATE COLUMNS | ALL COLUMNS];
    ANALYZE COMPRESSION reports encodings, which Postgres has none of."""
    upper = [w.upper() for w in words]
    if len(upper) > 1 and upper[1] == "COMPRESSION":
        raise UnsupportedError("ANALYZE COMPRESSION (column encodings do not exist on Postgres)")
    while len(upper) >= 2 and upper[-1] == "COLUMNS" and upper[-2] in ("PREDICATE", "ALL"):
        words, upper = words[:-2], upper[:-2]
    return [" ".join(w.lower() if w.upper() != "ANALYZE" else w for w in words)]


def before_parse(text: str) -> list[str] | None:
    """Statements refused or answered from their first words, before sqlglot sees them."""
    upper = [w.upper() for w in _words(text)[:2]]
    if upper == ["ANALYZE", "COMPRESSION"]:
        raise UnsupportedError("ANALYZE COMPRESSION (column encodings do not exist on Postgres)")
    return None


def special(tree: exp.Expr) -> list[str] | None:
    """Parsed statements answered whole; None lets the normal rewrite run."""
    if isinstance(tree, exp.Merge):
        _check_merge(tree)
    if isinstance(tree, exp.Set):
        out = _set_redshift_only(tree)
        if out is not None:
            return out
    if isinstance(tree, exp.Analyze):
        # r_ANALYZE: PREDICATE COLUMNS / ALL COLUMNS choose what Redshift samples; Postgres
        # analyzes all columns, which gives the same (planner-only) effect.
        if isinstance(tree.expression, exp.AnalyzeColumns):
            tree.set("expression", None)
    return None


def _set_redshift_only(tree: exp.Set) -> list[str] | None:
    """SET [SESSION | LOCAL] query_group TO 'x' → SET … dwhkit.query_group TO 'x' (r_SET,
    compat/settings.py); None when the statement sets no Redshift-only parameter."""
    if len(tree.expressions) != 1 or not isinstance(tree.expressions[0].this, exp.EQ):
        return None
    item = tree.expressions[0]
    target, value = item.this.this, item.this.expression
    custom = settings.set_name(target.name) if isinstance(target, exp.Expr) else None
    if custom is None:
        return None
    kind = (item.args.get("kind") or "").upper()
    scope = f"{kind} " if kind in ("SESSION", "LOCAL") else ""
    return [f"SET {scope}{custom} TO {value.sql(dialect='postgres')}"]


def _check_merge(tree: exp.Merge) -> None:
    """r_MERGE: the source can't be a subquery; no WITH (Postgres 15 accepts both, Redshift not).

    Also repairs `INSERT VALUES (...)` with no column list, which sqlglot's Redshift reader
    (VALUES is not a keyword there) takes for a call to a function named VALUES.
    """
    for insert in tree.find_all(exp.Insert):
        this = insert.this
        if isinstance(this, exp.Tuple) and len(this.expressions) == 1:
            call = this.expressions[0]
            if isinstance(call, exp.Anonymous) and call.name.upper() == "VALUES":
                insert.set("this", None)
                insert.set("expression", exp.Tuple(expressions=call.expressions))
    using = tree.args.get("using")
    if isinstance(using, exp.Subquery):
        raise TranslateError("MERGE: the source can't be a subquery in Redshift")
    if tree.args.get("with_") or tree.args.get("with"):
        raise TranslateError("MERGE: WITH is not allowed in Redshift")
