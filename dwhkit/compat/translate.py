"""The public entry points: translate a statement or a script, or check a script's syntax."""
from __future__ import annotations

import functools
import logging

from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, SqlglotError, TokenError

from dwhkit.compat import ddl, helpers, statements, syntax
from dwhkit.compat.dialect import PostgresOutput, RedshiftSource
from dwhkit.compat.params import Placeholders
from dwhkit.compat.split import is_copy_or_unload, split_statements
from dwhkit.compat.transforms import rewrite
from dwhkit.errors import SourceLocated, SqlSyntaxError, TranslateError

_READ = RedshiftSource()
_WRITE = PostgresOutput()
EMULATED = "-- emulated by dwhkit (not translated)"


class _NoFallbackWarning(logging.Filter):
    """sqlglot logs a warning whenever it falls back to a raw Command; we handle those."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Falling back to parsing as a 'Command'" not in record.getMessage()


logging.getLogger("sqlglot").addFilter(_NoFallbackWarning())


def parse_problem(sql: str) -> syntax.Problem | None:
    """Why ``sql`` (one statement, placeholders protected) does not parse, or None if it does."""
    try:
        _READ.parse(sql, error_level=ErrorLevel.RAISE)
    except (ParseError, TokenError) as err:
        return syntax.explain(err, sql, _READ.tokenize)
    return None


def syntax_error(problem: syntax.Problem, text: str, position: int | None) -> SqlSyntaxError:
    """``syntax error near 'WHERE' at line 1, column 17`` and the line with a caret, for a
    statement run on its own (``dwh check`` re-points it into the whole file)."""
    suggestion = f"; did you mean {problem.hint}?" if problem.hint else ""
    if position is None:
        return SqlSyntaxError(f"{problem.reason}{suggestion} ({_first_line(text)})", reason=problem.reason,
                              hint=problem.hint)
    line, column, shown = SourceLocated.excerpt(text, position)
    return SqlSyntaxError(f"{problem.reason} at line {line}, column {column}{suggestion}\n{shown}",
                          reason=problem.reason, position=position, hint=problem.hint)


# Trees ``_tables`` parsed, handed to the translation of the same text that follows it (the
# statement is parsed once, not twice: parsing is most of a first translation's cost). Taken with
# pop, so a tree is rewritten by one translation only; bounded, for texts never translated after.
_PARSED: dict[str, exp.Expr] = {}
_PARSED_MAX = 64


def _parse(sql: str, params: Placeholders | None = None, source: tuple[str, int] | None = None) -> exp.Expr:
    """``source``: the statement as the caller wrote it, and where ``sql`` (placeholders
    protected, stripped) starts in it — so errors point into what the user sees."""
    handed = _PARSED.pop(sql, None)
    if handed is not None:
        return handed
    try:
        trees = _READ.parse(sql, error_level=ErrorLevel.RAISE)
    except (ParseError, TokenError) as err:
        problem = syntax.explain(err, sql, _READ.tokenize)
        pos = problem.position
        if pos is not None and params is not None:
            pos = params.original_position(pos)
        original, lead = source or (sql, 0)
        raise syntax_error(problem, original, None if pos is None else pos + lead) from None
    trees = [t for t in trees if t is not None]
    if len(trees) != 1:
        raise TranslateError(f"expected one statement, got {len(trees)}: {_first_line(sql)}")
    return trees[0]


def _generate(tree: exp.Expr) -> str:
    gen = _WRITE.generator()
    try:
        sql = gen.generate(tree)
    except TranslateError:
        raise
    except (SqlglotError, ValueError) as err:
        raise TranslateError(f"cannot write Postgres SQL for {tree.key.upper()}: {err}") from None
    needed = getattr(gen, "dwhkit_helpers", None)
    if needed:
        # Same string, so one execute() (with its parameters) still runs one unit of work and
        # returns the statement's rows.
        sql = f"{helpers.prelude(needed)};\n{sql}"
    return sql


class _Snapshot:
    """The column types a statement's tables had when it was translated: the catalog answers the
    translation saw, frozen, so that a cached result is keyed by them (see to_postgres)."""

    def __init__(self, answers: tuple):
        self._answers = {key: None if cols is None else dict(cols) for key, cols in answers}

    def columns(self, table: str, schema: str | None = None) -> dict[str, str] | None:
        return self._answers.get((schema, table))


@functools.lru_cache(maxsize=4096)
def _tables(sql: str) -> tuple[tuple[str | None, str], ...]:
    """(schema, table) of every table the statement names, CTE names excepted; () when it does
    not parse (the translation then reports why)."""
    text = sql.strip().rstrip(";").strip()
    if not text or is_copy_or_unload(text):
        return ()
    protected = Placeholders(text).protected
    try:
        trees = [t for t in _READ.parse(protected, error_level=ErrorLevel.RAISE) if t is not None]
    except (SqlglotError, TranslateError):
        return ()
    if not trees:
        return ()
    tree = trees[0]
    if len(trees) == 1:  # what _parse would return for the same text
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[protected] = tree
    if isinstance(tree, exp.Command) or (
            isinstance(tree, exp.Create) and not isinstance(tree.expression, exp.Query)):
        return ()
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    found = []
    for table in tree.find_all(exp.Table):
        name = table.name.lower().lstrip("#")
        schema = table.db.lower() or None
        if name and not (schema is None and name in ctes) and (schema, name) not in found:
            found.append((schema, name))
    return tuple(found)


@functools.lru_cache(maxsize=4096)
def _translate(sql: str, answers: tuple = ()) -> tuple[str, ...]:
    """``answers``: ((schema, table), ((column, type), …) | None) for each table the statement
    names — part of the cache key, so a result that depends on column types is reused only while
    those types are the same."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise TranslateError("empty statement")
    if is_copy_or_unload(text):
        raise TranslateError("COPY and UNLOAD are emulated by dwhkit, not translated")
    params = Placeholders(text)
    lead = len(sql) - len(sql.lstrip())
    catalog = _Snapshot(answers) if answers else None
    try:
        return params.restore(_translate_protected(params.protected, params, (sql, lead), catalog))
    except TokenError as err:  # raised by whichever step tokenizes first
        problem = syntax.explain(err, text, _READ.tokenize)
        raise syntax_error(problem, sql, None if problem.position is None else problem.position + lead) from None


def _translate_protected(text: str, params: Placeholders, source: tuple[str, int], catalog=None) -> tuple[str, ...]:
    early = statements.before_parse(text)
    if early is not None:
        return tuple(early)
    tree = _parse(text, params, source)
    if isinstance(tree, exp.Command):
        return tuple(statements.command(tree, text))
    special = statements.special(tree)
    if special is not None:
        return tuple(special)
    design = ddl.table_design(tree, text) if isinstance(tree, exp.Create) else None
    out = (_generate(rewrite(tree, catalog)),)
    if design is not None:
        out += (_design_comment(tree, design),)
    return out


def _design_comment(tree: exp.Create, design: dict) -> str:
    """COMMENT ON TABLE … IS 'dwhkit:design:{…}' (see ddl.table_design)."""
    import json

    table = tree.this.this
    name = table.sql(dialect="postgres")
    body = ddl.DESIGN_PREFIX + json.dumps(design, separators=(",", ":"), sort_keys=True)
    return f"COMMENT ON TABLE {name} IS '{body.replace(chr(39), chr(39) * 2)}'"


def to_postgres(sql: str, catalog=None, store=None) -> list[str]:
    """One Redshift statement → the Postgres 15 statements that do the same (cached).

    ``catalog`` (a compat.catalog.Catalog, or None) lets type-dependent rules see column types:
    Redshift's implicit conversions and select-alias resolution. The catalog is asked about the
    tables the statement names, and the answers are part of the cache key: the same text with
    other column types is translated again, never served from the cache. ``store`` (a
    compat.translation_store.TranslationStore, or None) keeps the translations of the statements
    it owns across processes, under the same key."""
    if catalog is None:
        return list(_translate(sql))
    tables = store.tables(sql) if store is not None else None
    kept = tables is not None
    if not kept:
        tables = _tables(sql)
    answers = []
    for schema, table in tables:
        cols = catalog.columns(table, schema)
        answers.append(((schema, table), None if cols is None else tuple((k.lower(), v) for k, v in cols.items())))
    answers = tuple(answers)
    if kept:
        out = store.get(sql, answers)
        if out is not None:
            return out
        tables = _tables(sql)       # parsed again: the tree is handed to the translation below
    out = list(_translate(sql, answers))
    if store is not None:
        store.put(sql, tables, answers, out)
    return out


def translate_script(sql: str) -> str:
    """`dwh translate`: every statement translated; COPY/UNLOAD kept verbatim, marked."""
    out = []
    for statement in split_statements(sql):
        if is_copy_or_unload(statement):
            out.append(f"{EMULATED}\n{statement}")
        else:
            out.extend(to_postgres(statement))
    return ";\n\n".join(out)


def _first_line(sql: str) -> str:
    line = sql.strip().splitlines()[0] if sql.strip() else ""
    return line if len(line) <= 80 else line[:77] + "..."
