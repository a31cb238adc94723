"""Tests of this project's Redshift SQL, run locally by dwhkit's pytest plugin.

``redshift`` is a connection that speaks Redshift SQL on an empty database (sql/schema.sql applied,
see pytest.ini); ``redshift_s3`` is the S3 its COPY and UNLOAD reach. Run: ``pytest``."""
import datetime
from pathlib import Path

import pytest
import sqlalchemy

from dwhkit.testing import assert_rows, load_errors, run_copy

PROJECT = Path(__file__).resolve().parent.parent
DATA = PROJECT / "data"
SUMMARY_SQL = (PROJECT / "sql" / "customer_summary.sql").read_text()


def load_customers(conn, s3):
    s3.put("raw/customers.csv", DATA / "customers.csv")
    return run_copy(conn, f"""
        COPY customers FROM '{s3.url("raw/customers.csv")}'
        IAM_ROLE '{s3.iam_role}' CSV IGNOREHEADER 1 DATEFORMAT 'YYYY-MM-DD'""")


def load_orders(conn, s3):
    s3.put("raw/orders", DATA / "orders")  # a folder: every file under raw/orders/
    return run_copy(conn, f"""
        COPY orders (customer_id, ordered_at, amount, status) FROM '{s3.url("raw/orders/")}'
        IAM_ROLE '{s3.iam_role}' FORMAT AS JSON 'auto' TIMEFORMAT 'auto'""")


def test_schema_file_is_applied(redshift):
    assert_rows(redshift, """SELECT table_name FROM information_schema.tables
                             WHERE table_schema = 'public' ORDER BY 1""",
                [("customer_summary",), ("customers",), ("orders",)])


def test_copy_csv_from_s3(redshift, redshift_s3):
    assert load_customers(redshift, redshift_s3) == 3
    assert_rows(redshift, "SELECT customer_id, country, signed_up FROM customers WHERE customer_id = 2",
                [(2, "US", datetime.date(2024, 2, 1))])


def test_copy_json_folder_fills_identity(redshift, redshift_s3):
    assert load_orders(redshift, redshift_s3) == 5
    assert_rows(redshift, "SELECT COUNT(DISTINCT order_id), MIN(amount), MAX(amount) FROM orders",
                [(5, 3, 100)])


def test_customer_summary(redshift, redshift_s3):
    load_customers(redshift, redshift_s3)
    load_orders(redshift, redshift_s3)
    redshift.cursor().execute(SUMMARY_SQL)
    assert_rows(redshift, "SELECT customer_id, name, orders, total, days_active, statuses FROM customer_summary",
                [(1, "Ada Lovelace", 3, 22.75, 20, "returned,shipped"),
                 # DATEDIFF counts day boundaries crossed: Apr 2 16:45 → Apr 5 08:00 is 3, not 2
                 # (https://docs.aws.amazon.com/redshift/latest/dg/r_DATEDIFF_function.html)
                 (2, "Grace Hopper", 2, 120.00, 3, "shipped"),
                 (3, "Edsger Dijkstra", 0, 0, 0, None)],
                ordered=False)


def test_unload_round_trip(redshift, redshift_s3):
    load_customers(redshift, redshift_s3)
    cur = redshift.cursor()
    cur.execute(f"""UNLOAD ('SELECT customer_id, name FROM customers WHERE country <> ''NL''')
                    TO '{redshift_s3.url("export/customers_")}' IAM_ROLE '{redshift_s3.iam_role}'
                    FORMAT AS CSV PARALLEL OFF""")
    assert redshift_s3.keys("export/"), "UNLOAD wrote no file"
    cur.execute("CREATE TEMP TABLE back (customer_id INTEGER, name VARCHAR(256))")
    run_copy(redshift, f"COPY back FROM '{redshift_s3.url('export/customers_')}' "
                       f"IAM_ROLE '{redshift_s3.iam_role}' CSV")
    assert_rows(redshift, "SELECT * FROM back", [(1, "Ada Lovelace"), (2, "Grace Hopper")], ordered=False)


def test_failed_copy_says_why(redshift, redshift_s3):
    redshift_s3.put("raw/bad.csv", DATA / "customers_bad.csv")
    with pytest.raises(AssertionError) as failure:
        run_copy(redshift, f"COPY customers FROM '{redshift_s3.url('raw/bad.csv')}' "
                           f"IAM_ROLE '{redshift_s3.iam_role}' CSV IGNOREHEADER 1")
    assert "line 3" in str(failure.value) and "customer_id" in str(failure.value)
    [error] = load_errors(redshift)
    assert (error["line_number"], error["colname"], error["raw_field_value"]) == (3, "customer_id", "five")


def test_every_test_starts_empty(redshift):
    # test_failed_copy_says_why left a row in stl_load_errors and the COPY tests loaded rows.
    assert_rows(redshift, "SELECT (SELECT COUNT(*) FROM customers), (SELECT COUNT(*) FROM stl_load_errors)",
                [(0, 0)])


def test_commit_and_rollback(redshift):
    cur = redshift.cursor()
    cur.execute("INSERT INTO customers VALUES (9, 'Kept', 'DE', '2024-06-01')")
    redshift.commit()
    cur.execute("INSERT INTO customers VALUES (10, 'Dropped', 'DE', '2024-06-01')")
    redshift.rollback()
    assert_rows(redshift, "SELECT name FROM customers", [("Kept",)])


def test_engine_reads_what_the_connection_committed(redshift, redshift_engine):
    redshift.cursor().execute("INSERT INTO customers VALUES (7, 'Barbara', 'US', '2024-07-01')")
    redshift.commit()
    with redshift_engine.connect() as conn:
        assert conn.execute(sqlalchemy.text("SELECT name FROM customers")).scalar_one() == "Barbara"


def test_redshift_functions(redshift):
    assert_rows(redshift, """
        SELECT NVL2(NULL, 'a', 'b'), DECODE(2, 1, 'one', 2, 'two'), DATEADD(month, 1, '2024-01-31'::date),
               DATEDIFF(week, '2024-01-07'::date, '2024-01-08'::date), LEN('abc'), CHARINDEX('b', 'abc')""",
                [("b", "two", datetime.datetime(2024, 2, 29), 1, 3, 2)])
