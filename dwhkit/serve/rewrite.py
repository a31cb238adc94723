"""What the endpoint does with a client's SQL: forward it translated, or run it itself.

A client's Query (or Parse) text is Redshift SQL. Each statement becomes a Step:

* ``forward`` — Postgres SQL for the client's own backend session (``dwhkit.compat.to_postgres``);
* ``bulk``    — COPY, UNLOAD or COPY JOB, run through dwhkit's emulation (see bulk.py);
* ``error``   — something Redshift accepts that cannot be emulated, refused with its message.

Decisions made here, not in the translator, because they concern a session rather than a statement:

* Redshift-only session parameters (``SET query_group``, ``SET enable_case_sensitive_identifier``…)
  are kept as custom settings ``dwhkit.<name>`` so the client gets Postgres's ``SET`` tag and
  transaction semantics, and ``SHOW`` reads them back. AWS: r_SET, cm_chap_ConfigurationRef.
* ``version()`` answers with Redshift's string (dwhkit_system.version(), see catalog.py): drivers
  and dialects parse it (r_VERSION).
* ``COPY … FROM STDIN`` / ``TO STDOUT`` (psql's ``\\copy``, psycopg2's copy_expert) are Postgres's own
  and are forwarded: Redshift has no such form, so no Redshift statement is shadowed.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..compat import helpers, settings, split_statements, to_postgres
from ..compat.split import first_keyword, sub_in_code
from ..errors import SqlSyntaxError, TranslateError, UnsupportedError

# Session parameters Redshift has and Postgres does not: compat's list (cm_chap_ConfigurationRef, r_SET).
REDSHIFT_ONLY_SETTINGS = frozenset(settings.REDSHIFT_ONLY)
# Statements Postgres takes exactly as Redshift writes them: no need to parse them.
PASS_THROUGH = frozenset({"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE",
                          "DEALLOCATE", "DISCARD", "FETCH", "CLOSE", "MOVE", "LISTEN", "NOTIFY", "UNLISTEN"})

_SET = re.compile(r"^\s*(SET|RESET)\s+(?:(SESSION|LOCAL)\s+)?([A-Za-z_][A-Za-z0-9_]*)\b(.*)$", re.S | re.I)
_SHOW = re.compile(r"^\s*SHOW\s+([A-Za-z_][A-Za-z0-9_]*)\s*;?\s*$", re.S | re.I)
_PG_COPY = re.compile(r"\bFROM\s+STDIN\b|\bTO\s+STDOUT\b", re.I)
_VERSION = re.compile(r"(?<![\w.$])(?:pg_catalog\s*\.\s*)?version\s*\(\s*\)", re.I)
# Redshift's own catalog objects that dwhkit emulates in dwhkit_system, when a client writes pg_catalog.<name>.
_EMULATED_CATALOG = re.compile(r"\bpg_catalog\s*\.\s*(svv_\w+|stv_\w+|stl_\w+|svl_\w+|pg_table_def\b|"
                               r"pg_get_late_binding_view_cols\b|pg_class_info\b|pg_proc_info\b)", re.I)
# Columns Redshift's catalogs have and Postgres's lack: a query that reads one gets the *_info view
# (the same rows, those columns added; catalog.py).
_EXTRA_COLUMNS = tuple(
    (re.compile(trigger, re.I), re.compile(rf"(?:\bpg_catalog\s*\.\s*|(?<![\w.]))({relation})\b", re.I))
    for trigger, relation in ((r"\breldiststyle\b", "pg_class"),
                              (r"\b(attencodingtype|attisdistkey|attsortkeyord)\b", "pg_attribute"),
                              (r"\badsrc\b", "pg_attrdef")))
_TABLE_INFO = re.compile(r"(?<![\w.])(?:(?:pg_catalog|dwhkit_system)\s*\.\s*)?svv_table_info\b", re.I)
# sqlalchemy-redshift writes "where 1 AND …": an integer literal as a condition, which Redshift takes
# and Postgres refuses. Only that literal form is rewritten (a driver shim, not general semantics).
_WHERE_ONE = re.compile(r"\bWHERE\s+1(?=\s+AND\b|\s*$|\s+ORDER\b|\s+GROUP\b|\s*\))", re.I)
_SYSTEM = re.compile(r"\b(pg_catalog|information_schema)\b|\b(svv|stv|stl|svl)_\w+|\bpg_table_def\b", re.I)
# pg_get_late_binding_view_cols() AS x(col type, …): no late-binding views exist here, so the call is
# an empty derived table with the same columns, which the translator can see into (a function's
# column list it cannot; drivers filter on select aliases beside it, see system_catalog.py).
_LATE_BINDING = re.compile(r"\b(?:pg_catalog\s*\.\s*)?pg_get_late_binding_view_cols\s*\(\s*\)\s*(?:AS\s+)?"
                           r"(\w+)\s*\(([^()]*)\)", re.I)
_DOLLAR_PARAM = re.compile(r"(?<![\w$])\$(\d+)\b")
_NAMED_PARAM = re.compile(r"%\(dwhkit_([a-j]+)\)s")
_TO_LETTERS = str.maketrans("0123456789", "abcdefghij")
_TO_DIGITS = str.maketrans("abcdefghij", "0123456789")
_LEADING = re.compile(r"^(\s+|--[^\n]*\n?|/\*.*?\*/)*", re.S)


_ENDS_BLOCK = frozenset({"COMMIT", "END", "ROLLBACK", "ABORT"})
_NOT_THE_BLOCK = re.compile(r"^(ROLLBACK|COMMIT)\s+(TO|PREPARED)\b", re.I)  # a savepoint; 2PC


def transaction_control(stmt: str) -> str:
    """"begin" for a statement that opens a transaction block, "end" for one that ends it, else ""."""
    keyword = first_keyword(stmt)
    if keyword in ("BEGIN", "START"):
        return "begin"
    if keyword in _ENDS_BLOCK and not _NOT_THE_BLOCK.match(_strip(stmt)):
        return "end"
    return ""


@dataclass(frozen=True)
class Step:
    kind: str                 # "forward", "bulk", "script" (several statements) or "error"
    sql: str
    code: str = "XX000"       # SQLSTATE of an "error" step


def _strip(stmt: str) -> str:
    return stmt[_LEADING.match(stmt).end():].strip().rstrip(";").strip()


def _setting(stmt: str) -> str | None:
    """A SET/RESET/SHOW of a Redshift-only parameter, as the custom-setting statement."""
    if m := _SHOW.match(stmt):
        name = m.group(1).lower()
        if name in REDSHIFT_ONLY_SETTINGS:
            return f"SELECT pg_catalog.current_setting('dwhkit.{name}', true) AS {name}"
        return None
    if m := _SET.match(stmt):
        verb, scope, name, rest = m.group(1).upper(), m.group(2), m.group(3).lower(), m.group(4)
        if name in REDSHIFT_ONLY_SETTINGS:
            return f"{verb} {scope + ' ' if scope else ''}dwhkit.{name}{rest}"
    return None


def _translate_one(stmt: str, catalog=None) -> Step:
    keyword = first_keyword(stmt)
    if keyword == "COPY":
        return Step("forward", stmt) if _PG_COPY.search(stmt) else Step("bulk", _strip(stmt))
    if keyword == "UNLOAD":
        return Step("bulk", _strip(stmt))
    if keyword in PASS_THROUGH:
        return Step("forward", stmt)
    if keyword in ("SET", "RESET", "SHOW"):
        custom = _setting(stmt)
        # Postgres's own parameters (search_path, timezone, statement_timeout, datestyle, …) keep
        # the client's text: Redshift's SET syntax for them is Postgres's.
        return Step("forward", custom if custom is not None else stmt)
    stmt = sub_in_code(_LATE_BINDING, _empty_late_binding, stmt)
    # The wire's $n parameters travel through the translator as named pyformat placeholders, the form
    # dwhkit.connect() cursors bind (some $n lists, as in VALUES ($1),($2), it cannot read), and come
    # back as $n. Digits are spelled as letters: a name never looks like a positional one.
    numbered = _DOLLAR_PARAM.search(stmt) is not None
    if numbered:
        stmt = sub_in_code(_DOLLAR_PARAM, lambda m: f"%(dwhkit_{m.group(1).translate(_TO_LETTERS)})s", stmt)
    try:
        # System relations only: the snapshot resolves drivers' lateral aliases (system_catalog.py)
        translated = to_postgres(stmt, catalog if catalog is not None and _SYSTEM.search(stmt) else None)
        if numbered:
            translated = [_numbered(s) for s in translated]

    except UnsupportedError as exc:  # Redshift SQL dwhkit cannot emulate: refused, never dropped
        return Step("error", str(exc), "0A000")
    except SqlSyntaxError as exc:
        if not _SYSTEM.search(stmt):
            return Step("error", str(exc), "42601")  # the translator's message names the place
        # A catalog query in Postgres's own syntax, as psql's and drivers' are
        # (c.reloftype::pg_catalog.regtype): Postgres decides, with its own message.
        translated = [stmt]
    except TranslateError as exc:  # Redshift's own refusal (e.g. TOP with LIMIT)
        return Step("error", str(exc), "42601")
    except Exception:  # noqa: BLE001 - not Redshift grammar the translator knows: Postgres decides
        translated = [_numbered(stmt) if numbered else stmt]
    # Helpers live in dwhkit_system (catalog.install), not pg_temp: a Parse holds one statement.
    sql = ";\n".join(_catalog_names(helpers.in_schema(s, "dwhkit_system")) for s in translated)
    # One Redshift statement that needs several in Postgres (CREATE TABLE + the COMMENT keeping its
    # design) answers with one command tag, its first, as Redshift would.
    return Step("script" if len(translated) > 1 else "forward", sql)


def _numbered(sql: str) -> str:
    return sub_in_code(_NAMED_PARAM, lambda m: "$" + m.group(1).translate(_TO_DIGITS), sql)


def _empty_late_binding(m: re.Match) -> str:
    columns = []
    for spec in m.group(2).split(","):
        name, _, type_name = spec.strip().partition(" ")
        columns.append(f"NULL::{type_name.strip() or 'text'} AS {name}")
    return f"(SELECT {', '.join(columns)} WHERE false) {m.group(1)}"


def _catalog_names(sql: str) -> str:
    sql = sub_in_code(_VERSION, "dwhkit_system.version()", sql)
    sql = sub_in_code(_EMULATED_CATALOG, r"dwhkit_system.\1", sql)
    sql = sub_in_code(_TABLE_INFO, "dwhkit_system.svv_table_info_full", sql)
    for trigger, relation in _EXTRA_COLUMNS:
        if trigger.search(sql):
            sql = sub_in_code(relation, r"dwhkit_system.\1_info", sql)
    return sub_in_code(_WHERE_ONE, "WHERE TRUE", sql)


@functools.lru_cache(maxsize=4096)
def plan_query(sql: str, catalog=None) -> tuple[Step, ...]:
    """A simple Query's text → its steps, consecutive forwarded statements merged into one.
    ``catalog``: a SystemCatalog (or None), for statements that read system relations."""
    steps: list[Step] = []
    for stmt in split_statements(sql):
        step = _translate_one(stmt, catalog)
        if step.kind == "forward" and steps and steps[-1].kind == "forward":
            steps[-1] = Step("forward", steps[-1].sql + ";\n" + step.sql)
        else:
            steps.append(step)
    return tuple(steps)


@functools.lru_cache(maxsize=4096)
def plan_statement(sql: str, catalog=None) -> Step:
    """A Parse message's text (one statement, ``$n`` parameters) → one step."""
    steps = plan_query(sql, catalog)
    if not steps:
        return Step("forward", sql)
    if len(steps) > 1 or len(split_statements(sql)) > 1:
        return Step("error", "cannot insert multiple commands into a prepared statement", "42601")
    return steps[0]
