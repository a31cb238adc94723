"""What Redshift refuses and Postgres runs, refused by the translator with Redshift's words
(dwhkit/compat/refusals.py). Each statement is also run as translated on the real Postgres where
it is allowed, to show the rule does not catch its valid neighbours."""
from __future__ import annotations

import pytest

from dwhkit.compat import to_postgres
from dwhkit.errors import TranslateError
from tests.test_fidelity_conversions import run


@pytest.fixture
def db(pg_conn):
    run(pg_conn, "CREATE TABLE users (userid INT, likerock BOOLEAN)",
        "INSERT INTO users VALUES (1, TRUE), (2, NULL), (3, FALSE)",
        "CREATE TABLE category (catid INT)", "INSERT INTO category VALUES (1)")
    return pg_conn


@pytest.mark.parametrize("sql", [
    'SELECT userid, likerock IS TRUE AS "check" FROM users',  # r_Boolean_type's example
    "SELECT likerock IS FALSE FROM users",
    "SELECT likerock IS NOT TRUE AS c FROM users",
])
def test_is_true_in_the_select_list_is_not_implemented(sql):
    # before: Postgres ran it (Redshift: "[Amazon](500310) Invalid operation: Not implemented")
    with pytest.raises(TranslateError, match="Not implemented"):
        to_postgres(sql)


def test_is_true_elsewhere_and_equals_true_in_the_select_list_run(db):
    assert run(db, "SELECT userid FROM users WHERE likerock IS TRUE") == [(1,)]
    assert run(db, 'SELECT userid, likerock = TRUE AS "check" FROM users ORDER BY 1') == [
        (1, True), (2, None), (3, False)]
    assert run(db, "SELECT userid, likerock IS NULL FROM users ORDER BY 1") == [(1, False), (2, True), (3, False)]


def test_subqueries_in_multi_row_values_are_refused(db):
    # c_Examples_of_INSERT_30: "ERROR: can't use subqueries in multi-row VALUES"; before: Postgres ran it
    with pytest.raises(TranslateError, match="can't use subqueries in multi-row VALUES"):
        to_postgres("INSERT INTO category (catid) VALUES ((SELECT MAX(catid) + 1 FROM category)), "
                    "((SELECT MAX(catid) + 2 FROM category))")
    # one row may hold a subquery; several rows without one are fine
    run(db, "INSERT INTO category (catid) VALUES ((SELECT MAX(catid) + 1 FROM category))",
        "INSERT INTO category VALUES (10), (11)")
    assert run(db, "SELECT catid FROM category ORDER BY 1") == [(1,), (2,), (10,), (11,)]
