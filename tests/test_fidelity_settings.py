"""SET / RESET / SHOW of Redshift's configuration parameters (r_SHOW, r_SET, cm_chap_ConfigurationRef:
https://docs.aws.amazon.com/redshift/latest/dg/r_SHOW.html), run through dwhkit.connect() on the
real Postgres. Before: every SHOW was refused ("SHOW search_path: statement not supported on
Postgres targets") and SET of a Redshift-only parameter was a no-op, so SHOW could not read it back.
"""
from __future__ import annotations

import pytest

import dwhkit
from dwhkit.compat import to_postgres
from dwhkit.errors import TranslateError


@pytest.fixture
def conn(dwh_config):
    c = dwhkit.connect(dwh_config)
    c.autocommit = True
    yield c
    c.close()


def rows(conn, *sqls):
    cur = conn.cursor()
    for sql in sqls:
        cur.execute(sql)
    return cur.fetchall() if cur.description is not None else None


def test_show_search_path_prints_user_unquoted_as_redshift_does(conn):
    # r_search_path: default "$user, public"; Postgres prints "$user" in double quotes
    rows(conn, "SET search_path TO \"$user\", public")
    assert rows(conn, "SHOW search_path") == [("$user, public",)]
    rows(conn, "SET search_path TO public")
    assert rows(conn, "show search_path;") == [("public",)]


def test_show_shared_parameters_read_the_session(conn):
    rows(conn, "SET timezone TO 'America/New_York'")
    assert rows(conn, "SHOW timezone") == [("America/New_York",)]
    assert rows(conn, "SHOW TIME ZONE") == [("America/New_York",)]
    rows(conn, "SET datestyle TO 'ISO, MDY'")
    assert rows(conn, "SHOW DateStyle") == [("ISO, MDY",)]
    rows(conn, "SET extra_float_digits TO 2")
    assert rows(conn, "SHOW extra_float_digits") == [("2",)]


def test_redshift_only_parameter_shows_its_default_then_what_set_set(conn):
    # r_SHOW's example: "show query_group;" prints "unset" (AMBIG noted in compat/settings.py)
    assert rows(conn, "SHOW query_group") == [("unset",)]
    assert rows(conn, "SHOW wlm_query_slot_count") == [("1",)]  # r_wlm_query_slot_count: default 1
    rows(conn, "SET query_group TO 'etl'", "SET wlm_query_slot_count TO 3")
    assert rows(conn, "SHOW query_group") == [("etl",)]
    assert rows(conn, "SHOW wlm_query_slot_count") == [("3",)]
    rows(conn, "RESET query_group")
    assert rows(conn, "SHOW query_group") == [("unset",)]
    rows(conn, "SET enable_result_cache_for_session TO off")
    assert rows(conn, "SHOW enable_result_cache_for_session") == [("off",)]


def test_set_local_of_a_redshift_only_parameter_ends_with_the_transaction(conn):
    conn.autocommit = False
    rows(conn, "SET LOCAL query_group TO 'inside'")
    assert rows(conn, "SHOW query_group") == [("inside",)]
    conn.commit()
    assert rows(conn, "SHOW query_group") == [("unset",)]


def test_show_all_lists_the_configurable_settings(conn):
    # cm_chap_ConfigurationRef's SHOW ALL example: name | setting for these eight parameters
    rows(conn, "SET query_group TO 'nightly'")
    got = dict(rows(conn, "SHOW ALL"))
    assert list(got) == ["analyze_threshold_percent", "datestyle", "extra_float_digits", "query_group",
                         "search_path", "statement_timeout", "timezone", "wlm_query_slot_count"]
    assert got["query_group"] == "nightly"
    assert got["analyze_threshold_percent"] == "10"


def test_session_context_variable(conn):
    # r_SHOW: SHOW variable_name shows a session context variable, an error when it does not exist
    rows(conn, "SET app_context.user_id TO 'u42'")
    assert rows(conn, "SHOW app_context.user_id") == [("u42",)]
    with pytest.raises(Exception, match="unrecognized configuration parameter"):
        rows(conn, "SHOW app_context.never_set")


@pytest.mark.parametrize("name", ["work_mem", "server_version", "no_such_thing"])
def test_parameters_redshift_does_not_have_are_refused(name):
    # Postgres has work_mem and server_version; Redshift's configuration reference does not
    with pytest.raises(TranslateError, match=f'unrecognized configuration parameter "{name}"'):
        to_postgres(f"SHOW {name}")


def test_other_show_statements_stay_refused():
    with pytest.raises(TranslateError, match="not supported"):
        to_postgres("SHOW TABLES FROM SCHEMA dev.public")
