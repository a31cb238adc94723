"""Name resolution Redshift does and Postgres does not, executed on the real Postgres 15:
select-list aliases in WHERE / GROUP BY / HAVING (r_SELECT_list, r_WHERE_clause), FROM subqueries
without an alias (r_FROM_clause30), UPDATE … FROM (r_UPDATE), Oracle-style (+) outer joins
(r_WHERE_oracle_outer). Each case notes what it did before.
"""
from __future__ import annotations

import psycopg2
import pytest

from dwhkit.compat import to_postgres
from dwhkit.errors import TranslateError
from tests.test_fidelity_conversions import run

SAMPLE = [
    "CREATE TABLE category (catid INT, catname VARCHAR(10))",
    "INSERT INTO category VALUES (1, 'MLB'), (2, 'Musicals'), (3, 'Opera')",
    "CREATE TABLE event (eventid INT, catid INT, venueid INT, qty INT)",
    "INSERT INTO event VALUES (795, 2, 10, 4), (796, 2, 10, 6), (797, 3, 11, 1)",
    "CREATE TABLE venue (venueid INT, venuename VARCHAR(10))",
    "INSERT INTO venue VALUES (10, 'Hall'), (12, 'Dome')",
]


@pytest.fixture
def db(pg_conn):
    run(pg_conn, *SAMPLE)
    return pg_conn


# --- select-list aliases in WHERE, GROUP BY, HAVING -------------------------------------------
ALIASES = [
    # before: column "double_qty" does not exist
    ("SELECT eventid, qty * 2 AS double_qty FROM event WHERE double_qty > 10 ORDER BY 1", [(796, 12)]),
    # before: column "n" does not exist (HAVING cannot see output names in Postgres)
    ("SELECT catid, COUNT(*) AS n FROM event GROUP BY catid HAVING n > 1", [(2, 2)]),
    # a bare alias in GROUP BY (Postgres resolves it itself), the same alias in HAVING
    ("SELECT qty % 2 AS parity, COUNT(*) AS n FROM event GROUP BY parity HAVING parity = 0", [(0, 2)]),
    # r_SELECT_list: a FROM column of that name wins over the alias
    ("SELECT eventid, qty * 100 AS qty FROM event WHERE qty > 5 ORDER BY 1", [(796, 600)]),
    # the alias inside a subquery's own WHERE
    ("SELECT COUNT(*) FROM (SELECT catid * 10 AS c10 FROM event WHERE c10 = 20) s", [(2,)]),
]


@pytest.mark.parametrize("sql,expected", ALIASES)
def test_aliases_in_where_group_having(db, sql, expected):
    assert run(db, sql) == expected


def test_alias_from_the_statement_alone(pg_conn):
    # no catalog, but every FROM entry is a derived table: its columns are known
    sql = "SELECT x + 1 AS y FROM (SELECT 1 AS x UNION ALL SELECT 5) d WHERE y > 2"
    assert run(pg_conn, sql, catalog=False) == [(6,)]


def test_alias_left_alone_when_from_columns_are_unknown():
    # no catalog and a base table: `dbl` may be one of its columns, so nothing is guessed
    assert to_postgres("SELECT qty * 2 AS dbl FROM event WHERE dbl > 3") == [
        "SELECT qty * 2 AS dbl FROM event WHERE dbl > 3"]


# --- FROM subqueries without an alias -----------------------------------------------------------
def test_subquery_without_alias(db):
    # before: subquery in FROM must have an alias
    assert run(db, "SELECT COUNT(*) FROM (SELECT eventid FROM event WHERE catid = 2)") == [(2,)]
    assert run(db, "SELECT * FROM (SELECT 1 AS a) JOIN (SELECT 1 AS b) ON a = b") == [(1, 1)]


# --- UPDATE … FROM (r_UPDATE) -------------------------------------------------------------------
def test_update_from_outer_join_refused_with_redshifts_error(db):
    # before: ran (Postgres accepts an outer join in UPDATE … FROM)
    with pytest.raises(TranslateError, match="Target table must be part of an equijoin predicate"):
        run(db, "UPDATE event SET qty = 0 FROM venue LEFT JOIN category ON venue.venueid = category.catid "
                "WHERE event.venueid = venue.venueid")


def test_update_from_join(db):
    run(db, "UPDATE event SET qty = 0 FROM venue WHERE event.venueid = venue.venueid AND venuename = 'Hall'")
    assert run(db, "SELECT eventid, qty FROM event ORDER BY 1") == [(795, 0), (796, 0), (797, 1)]


def test_update_self_join_under_an_alias(db):
    # r_UPDATE: the target again in FROM under an alias, the join condition spelled out
    run(db, "UPDATE event SET qty = e2.qty + 100 FROM event e2 WHERE event.eventid = e2.eventid AND e2.catid = 3")
    assert run(db, "SELECT eventid, qty FROM event ORDER BY 1") == [(795, 4), (796, 6), (797, 101)]


def test_update_target_aliased_in_from_without_a_join_to_it_is_the_target(db):
    # AMBIG (compat/resolve.py _alias_of_target; r_UPDATE: "you can specify an alias in the FROM
    # clause"; c_Examples_of_UPDATE_statements' "alternative way to write this example"): cat is the
    # target row itself, so only Opera changes. Before: refused; plain PostgreSQL cross-joins and
    # updates every category row that any event matches.
    run(db, "UPDATE category SET catid = 100 FROM event JOIN category cat ON event.catid = cat.catid "
            "WHERE cat.catname = 'Opera'")
    assert run(db, "SELECT catid, catname FROM category ORDER BY catname") == [(1, "MLB"), (2, "Musicals"), (100, "Opera")]
    # the aliased target first in FROM, and alone
    run(db, "UPDATE category SET catid = 7 FROM category cat JOIN event ON event.catid = cat.catid "
            "WHERE cat.catname = 'Musicals'")
    run(db, "UPDATE category SET catname = 'Baseball' FROM category c WHERE c.catid = 1")
    assert run(db, "SELECT catid, catname FROM category ORDER BY catid") == [(1, "Baseball"), (7, "Musicals"), (100, "Opera")]


def test_update_target_again_without_alias_is_an_error(db):
    with pytest.raises(psycopg2.errors.DuplicateAlias):
        run(db, "UPDATE event SET qty = 0 FROM event WHERE event.eventid = 795")


def test_update_shared_column_must_be_qualified(db):
    with pytest.raises(psycopg2.errors.AmbiguousColumn):
        run(db, "UPDATE event SET qty = 0 FROM venue WHERE venueid = 10")


# --- Oracle-style outer joins (r_WHERE_oracle_outer) --------------------------------------------
OUTER = [
    # before: UnsupportedError "Outer join syntax using the (+) operator is not supported"
    ("SELECT e.eventid, v.venuename FROM event e, venue v WHERE e.venueid = v.venueid(+) ORDER BY 1",
     [(795, "Hall"), (796, "Hall"), (797, None)]),
    ("SELECT v.venuename, e.eventid FROM event e, venue v WHERE e.venueid(+) = v.venueid ORDER BY 1, 2",
     [("Dome", None), ("Hall", 795), ("Hall", 796)]),
    # the page's example: a (+) on the constant restriction keeps the outer-joined rows
    ("SELECT catname, eventid FROM category, event WHERE category.catid = event.catid(+) AND eventid(+) = 796 "
     "ORDER BY 1", [("MLB", None), ("Musicals", 796), ("Opera", None)]),
    # … and without it the restriction filters them out
    ("SELECT catname, eventid FROM category, event WHERE category.catid = event.catid(+) AND eventid = 796 "
     "ORDER BY 1", [("Musicals", 796)]),
    # "the order of the tables in the FROM clause doesn't matter"; other conditions stay in WHERE
    ("SELECT catname, eventid FROM event, category WHERE event.catid(+) = category.catid AND catname <> 'MLB' "
     "ORDER BY 1, 2", [("Musicals", 795), ("Musicals", 796), ("Opera", 797)]),
    # three tables, each outer-joined once
    ("SELECT c.catname, e.eventid, v.venuename FROM category c, event e, venue v "
     "WHERE c.catid = e.catid(+) AND e.venueid = v.venueid(+) ORDER BY 1, 2",
     [("MLB", None, None), ("Musicals", 795, "Hall"), ("Musicals", 796, "Hall"), ("Opera", 797, None)]),
    # self-join under aliases (the page's `from event a, event b where a.eventid(+)=b.catid`)
    ("SELECT COUNT(*) FROM event a, event b WHERE a.eventid(+) = b.catid", [(3,)]),
]


@pytest.mark.parametrize("sql,expected", OUTER)
def test_oracle_outer_joins(db, sql, expected):
    assert run(db, sql) == expected


def test_unmarked_constant_without_catalog_uses_the_marked_table(pg_conn):
    # AMBIG (compat/outer_join.py): with no catalog, `eventid(+)` belongs to the one table marked elsewhere
    run(pg_conn, *SAMPLE)
    sql = ("SELECT catname, eventid FROM category, event WHERE category.catid = event.catid(+) AND eventid(+) = 796 "
           "ORDER BY 1")
    assert run(pg_conn, sql, catalog=False) == [("MLB", None), ("Musicals", 796), ("Opera", None)]


@pytest.mark.parametrize("sql,message", [
    ("SELECT COUNT(*) FROM event, venue WHERE event.venueid(+) = venue.venueid OR event.eventid = 0",
     "Outer join operator (+) not allowed in operand of OR or IN."),
    ("SELECT COUNT(*) FROM event, venue WHERE event.venueid(+) IN (venue.venueid, 1)",
     "Outer join operator (+) not allowed in operand of OR or IN."),
    ("SELECT COUNT(*) FROM event, venue, category WHERE event.venueid(+) = venue.venueid "
     "AND event.catid(+) = category.catid", "A table may be outer joined to at most one other table."),
    ("SELECT COUNT(*) FROM event JOIN venue ON event.venueid = venue.venueid, category "
     "WHERE event.catid(+) = category.catid", "FROM clause join syntax"),
])
def test_oracle_outer_join_refusals(db, sql, message):
    with pytest.raises(TranslateError) as info:
        run(db, sql)
    assert message in str(info.value)
