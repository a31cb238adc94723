"""What the endpoint does with a client's SQL (dwhkit/serve/rewrite.py): pairs of input and plan."""
from __future__ import annotations

import pytest

from dwhkit.serve.rewrite import plan_query, plan_statement, transaction_control


@pytest.mark.parametrize("sql, kind, expected", [
    # Redshift-only session parameters become custom settings (r_SET); Postgres's own pass verbatim
    ("SET query_group TO 'etl'", "forward", "SET dwhkit.query_group TO 'etl'"),
    ("RESET query_group", "forward", "RESET dwhkit.query_group"),
    ("SET LOCAL wlm_query_slot_count = 3", "forward", "SET LOCAL dwhkit.wlm_query_slot_count = 3"),
    ("SHOW enable_case_sensitive_identifier", "forward",
     "SELECT pg_catalog.current_setting('dwhkit.enable_case_sensitive_identifier', true) AS "
     "enable_case_sensitive_identifier"),
    ("SET search_path TO public, dwhkit_system", "forward", "SET search_path TO public, dwhkit_system"),
    ("SET timezone TO 'UTC'", "forward", "SET timezone TO 'UTC'"),
    ("SHOW search_path", "forward", "SHOW search_path"),
    ("BEGIN", "forward", "BEGIN"),
    # version() is Redshift's (r_VERSION), also when qualified; never inside a literal
    ("SELECT pg_catalog.version()", "forward", "SELECT dwhkit_system.version()"),
    ("SELECT 'version()'", "forward", "SELECT 'version()'"),
    # Redshift catalog objects drivers qualify with pg_catalog live in dwhkit_system
    ("SELECT 1 FROM pg_catalog.svv_all_columns", "forward", "SELECT 1 FROM dwhkit_system.svv_all_columns"),
    # COPY/UNLOAD are run by the endpoint; Postgres's own COPY FROM STDIN is forwarded
    ("COPY t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::1:role/r' CSV;", "bulk",
     "COPY t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::1:role/r' CSV"),
    ("UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE 'arn:aws:iam::1:role/r'", "bulk",
     "UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE 'arn:aws:iam::1:role/r'"),
    ("COPY t FROM STDIN WITH (FORMAT csv)", "forward", "COPY t FROM STDIN WITH (FORMAT csv)"),
])
def test_plans(sql, kind, expected):
    (step,) = plan_query(sql)
    assert (step.kind, step.sql) == (kind, expected)


def test_numbered_parameters_survive_translation_in_order():
    step = plan_statement("SELECT DATEDIFF(day, $1, $2) AS d, $1 AS again FROM t WHERE v = $3")
    assert step.kind == "forward"
    # DATEDIFF rearranges its arguments: $n keep naming the client's values, whatever the order
    assert "CAST($2 AS TIMESTAMP)" in step.sql and "CAST($1 AS TIMESTAMP)" in step.sql
    assert "$1 AS again" in step.sql and "v = $3" in step.sql
    # a multi-row VALUES list of $n (dbt's seed inserts), which the translator cannot read as $n
    step = plan_statement('insert into "dev"."s"."t" ("a", "b") values ($1,$2),($3,$4)')
    assert step.kind == "forward" and step.sql.endswith("VALUES ($1, $2), ($3, $4)")


def test_one_statement_that_needs_two_answers_once():
    (step,) = plan_query("CREATE TABLE t (id INT) DISTSTYLE ALL")
    assert step.kind == "script" and step.sql.count(";") == 1 and "COMMENT ON TABLE" in step.sql


def test_a_query_with_copy_is_split_around_it():
    steps = plan_query("CREATE TABLE a (x INT); COPY a FROM 's3://b/k' IAM_ROLE 'r'; SELECT 1; SELECT 2")
    assert [s.kind for s in steps] == ["script", "bulk", "forward"]  # CREATE TABLE + its COMMENT
    assert steps[2].sql == "SELECT 1;\nSELECT 2"


def test_prepared_statements_take_one_command():
    assert plan_statement("SELECT 1; SELECT 2").kind == "error"


def test_late_binding_view_columns_are_an_empty_derived_table():
    (step,) = plan_query("SELECT schemaname FROM pg_get_late_binding_view_cols() cols(schemaname name, n int)")
    assert "pg_get_late_binding_view_cols" not in step.sql.lower()
    assert "WHERE FALSE" in step.sql.upper()


@pytest.mark.parametrize("sql, control", [
    # what opens or ends a transaction block inside a multi-statement Query (session.py)
    ("BEGIN", "begin"), ("start transaction isolation level serializable", "begin"),
    ("COMMIT", "end"), ("end transaction", "end"), ("ROLLBACK", "end"), ("ABORT", "end"),
    ("/* done */ commit", "end"), ("COMMIT AND CHAIN", "end"),
    # a savepoint and two-phase commit leave the block as it is
    ("ROLLBACK TO SAVEPOINT s1", ""), ("rollback to s1", ""), ("COMMIT PREPARED 'tx'", ""),
    ("SAVEPOINT s1", ""), ("RELEASE SAVEPOINT s1", ""), ("SELECT 'COMMIT'", ""), ("INSERT INTO t VALUES (1)", ""),
])
def test_transaction_control(sql, control):
    assert transaction_control(sql) == control
