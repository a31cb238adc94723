"""Parameter placeholders (%s, %(name)s, %% for a literal %) survive translation, on the real
server through dwhkit.connect() with bound parameters.

Security finding: ``SELECT TOP 1 %s`` was translated into ``SELECT s LIMIT 1 PERCENT`` (sqlglot
reads the placeholder's % as TOP's PERCENT), and a translation that reorders arguments
(TOP → LIMIT at the end, DATEDIFF, DATEADD…) silently bound positional values to the wrong
placeholders."""
from __future__ import annotations

import pytest

import dwhkit
from dwhkit.compat import to_postgres
from dwhkit.errors import TranslateError


@pytest.fixture
def cur(dwh_config):
    conn = dwhkit.connect(dwh_config)
    cursor = conn.cursor()
    cursor.execute("CREATE TABLE t (a INT, b INT)")
    cursor.execute("INSERT INTO t VALUES (1, 10), (2, 20), (3, 20), (4, 30)")
    yield cursor
    conn.rollback()
    conn.close()


@pytest.mark.parametrize("sql, params, rows", [
    ("SELECT TOP 1 %s", (42,), [(42,)]),
    ("SELECT TOP 1 %(x)s", {"x": "it's"}, [("it's",)]),
    ("SELECT TOP 2 a, %s FROM t WHERE b = %s ORDER BY a", ("x", 20), [(2, "x"), (3, "x")]),
    ("SELECT TOP %(n)s a FROM t WHERE b = %(b)s ORDER BY a", {"n": 1, "b": 20}, [(2,)]),
    ("SELECT a FROM t WHERE b = %s ORDER BY a LIMIT %s", (20, 1), [(2,)]),
    ("SELECT a %% 3, '100%%', %s FROM t WHERE a = 4", ("p",), [(1, "100%", "p")]),
    ("SELECT NVL(%s, 'none'), '%%s'", (None,), [("none", "%s")]),
    ("SELECT DATEDIFF(day, %(start)s, %(end)s)", {"start": "2024-01-01", "end": "2024-01-31"}, [(30,)]),
    ("SELECT DECODE(%(v)s, 1, 'one', 'other')", {"v": 1}, [("one",)]),
])
def test_placeholders_bind_the_right_values(cur, sql, params, rows):
    cur.execute(sql, params)
    assert cur.fetchall() == rows


@pytest.mark.parametrize("sql", [
    "SELECT TOP %s a FROM t WHERE b = %s",          # TOP n moves to the end: LIMIT
    "SELECT DATEDIFF(day, %s, %s)",                  # Postgres form: end - start
    "SELECT DATEADD(day, %s, %s)",
    "SELECT DECODE(%s, %s, 'n', 'x')",               # each value is used twice (NULL-safe =)
])
def test_reordered_positional_placeholders_are_refused_not_misbound(cur, sql):
    with pytest.raises(TranslateError, match=r"named placeholders, %\(name\)s"):
        cur.execute(sql, (1, "2024-01-01"))


@pytest.mark.parametrize("sql, pg", [
    ("SELECT TOP 1 %s", "SELECT %s LIMIT 1"),
    ("SELECT TOP 1 %(x)s FROM t", "SELECT %(x)s FROM t LIMIT 1"),
    ("SELECT '%s', \"%s\" FROM t WHERE a = %s", "SELECT '%s', \"%s\" FROM t WHERE a = %s"),
    ("SET search_path = %s", "SET search_path = %s"),
    ("SELECT a % 2 FROM t", "SELECT a % 2 FROM t"),                 # no parameters: % is modulo
    ("SELECT a %% 2 FROM t WHERE b = %s", "SELECT a %% 2 FROM t WHERE b = %s"),
])
def test_translation_keeps_placeholders(sql, pg):
    assert to_postgres(sql) == [pg]
