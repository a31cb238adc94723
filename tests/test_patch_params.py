"""Every DB-API paramstyle redshift_connector accepts, rewritten to psycopg2's pyformat: a table of
(style, SQL, parameters) → (SQL, parameters), then the same statements bound by a real server."""
from __future__ import annotations

import pytest

from dwhkit.patching.params import ParamStyleError, to_pyformat

CASES = [
    # style, sql, params, expected sql, expected params
    ("format", "SELECT %s, %s", (1, 2), "SELECT %s, %s", (1, 2)),
    ("format", "SELECT 'a%' || %s", ("b",), "SELECT 'a%%' || %s", ("b",)),        # % in a literal
    ("format", "SELECT 7 %% 2, %s", (1,), "SELECT 7 %% 2, %s", (1,)),           # %% is modulo
    ("format", "SELECT 7 %% 2", (), "SELECT 7 % 2", None),                      # nothing to bind
    ("format", "SELECT 'x%'", None, "SELECT 'x%'", None),
    ("pyformat", "SELECT %(a)s, %(b)s, %(a)s", {"a": 1, "b": 2}, "SELECT %(a)s, %(b)s, %(a)s", {"a": 1, "b": 2}),
    ("qmark", "SELECT ?, '?', \"?\", ?", (1, 2), "SELECT %s, '?', \"?\", %s", (1, 2)),
    ("qmark", "SELECT ? -- what?\n, '50%'", (1,), "SELECT %s -- what?\n, '50%%'", (1,)),
    ("numeric", "SELECT :2, :1, :2", ("a", "b"), "SELECT %s, %s, %s", ("b", "a", "b")),
    ("numeric", "SELECT x::int FROM t WHERE y = :1", (5,), "SELECT x::int FROM t WHERE y = %s", (5,)),
    ("named", "SELECT :a::text, :b, ':c'", {"a": 1, "b": 2}, "SELECT %(a)s::text, %(b)s, ':c'", {"a": 1, "b": 2}),
    ("named", "SELECT 'it''s :x', :y", {"y": 3}, "SELECT 'it''s :x', %(y)s", {"y": 3}),
    ("qmark", "SELECT E'\\'?' , ?", (1,), "SELECT E'\\'?' , %s", (1,)),
    ("qmark", "/* ? % */ SELECT ?", (1,), "/* ? %% */ SELECT %s", (1,)),
]


@pytest.mark.parametrize("style, sql, params, want_sql, want_params", CASES)
def test_rewrite(style, sql, params, want_sql, want_params):
    assert to_pyformat(sql, params, style) == (want_sql, want_params)


@pytest.mark.parametrize("style, sql, params, message", [
    ("format", "SELECT %d", (1,), "Only %s and %% are supported"),
    ("named", "SELECT :a", (1,), "needs a mapping"),
    ("named", "SELECT :a, :b", {"a": 1}, "no value for parameter"),
    ("qmark", "SELECT ?, ?", (1,), "2 placeholder"),
    ("qmark", "SELECT ?", {"a": 1}, "needs a sequence"),
    ("dollar", "SELECT $1", (1,), "unknown paramstyle"),
])
def test_bad_parameters_are_refused(style, sql, params, message):
    with pytest.raises(ParamStyleError, match=message):
        to_pyformat(sql, params, style)


@pytest.mark.parametrize("style, sql, params, want", [
    ("qmark", "SELECT ? || '%', ?::int + 1", ("a", "41"), ("a%", 42)),
    ("numeric", "SELECT :2 || :1", ("x", "y"), ("yx",)),
    ("named", "SELECT :who || '%%'", {"who": "z"}, ("z%%",)),
    ("format", "SELECT 10 %% 3 + %s", (1,), (2,)),
])
def test_the_server_binds_what_the_driver_would(pg_conn, style, sql, params, want):
    text, values = to_pyformat(sql, params, style)
    with pg_conn.cursor() as cur:
        cur.execute(text, values)
        assert cur.fetchone() == want
