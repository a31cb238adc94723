"""SUPER on jsonb (dwhkit/compat/semistructured.py, super_functions.py), run on the real Postgres.

Expected values are the AWS pages' examples and rules: r_super_type, query-super ("Querying
semistructured data": navigation, lax mode), limitations-super (casting), c_Type_Info_Functions,
c_Array_Functions, JSON_PARSE / JSON_SERIALIZE. SUPER results reach psycopg2 as jsonb, which it
the statement's own SUPER columns reach the client as compact JSON text, as Redshift sends them
(query-super prints "Amazon" and [1,"abc",null]).
Before: a SUPER column was refused, ARRAY(...) became a typed Postgres array (mixed types
failed), and none of the SUPER functions existed."""
from __future__ import annotations

import psycopg2
import pytest

from dwhkit.compat import to_postgres
from dwhkit.errors import UnsupportedError
from dwhkit.targets.catalog import PostgresCatalog
from tests.test_fidelity_conversions import run, scalar


@pytest.mark.parametrize("sql, expected", [
    # JSON_PARSE, JSON_SERIALIZE: compact text of any nesting
    ("SELECT JSON_SERIALIZE(JSON_PARSE('[10001, 10002, \"abc\"]'))", '[10001,10002,"abc"]'),
    ("SELECT JSON_SERIALIZE(JSON_PARSE('{\"a\": [1, {\"b\": null}], \"c\": true}'))", '{"a":[1,{"b":null}],"c":true}'),
    ("SELECT JSON_SERIALIZE(ARRAY('⬤', 'x\"y'))", '["⬤","x\\"y"]'),
    ("SELECT JSON_SIZE(JSON_PARSE('[10001,10002,\"⬤\"]'))", 19),         # r_json_size: bytes
    ("SELECT JSON_TYPEOF(JSON_PARSE('\"a\"'))", "string"),               # r_json_typeof
    ("SELECT JSON_TYPEOF(ARRAY(1, 2))", "array"),
    # c_Type_Info_Functions: false for any other value, null included (r_is_scalar)
    ("SELECT IS_ARRAY(JSON_PARSE('[1,2]'))", True),
    ("SELECT IS_ARRAY(JSON_PARSE('{\"a\":1}'))", False),
    ("SELECT IS_OBJECT(JSON_PARSE('{\"a\":1}'))", True),
    ("SELECT IS_SCALAR(JSON_PARSE('null'))", False),
    ("SELECT IS_SCALAR(JSON_PARSE('[1]'))", False),
    ("SELECT IS_VARCHAR(NULL::SUPER)", False),
    ("SELECT IS_CHAR(JSON_PARSE('\"abc\"'))", True),
    ("SELECT IS_CHAR(JSON_PARSE('\"⬤\"'))", False),                     # r_is_char: ASCII only
    ("SELECT IS_VARCHAR(JSON_PARSE('\"⬤\"'))", True),
    ("SELECT IS_SMALLINT(JSON_PARSE('40000'))", False),                  # out of the 16-bit range
    ("SELECT IS_INTEGER(JSON_PARSE('40000'))", True),
    ("SELECT IS_BIGINT(JSON_PARSE('5.5'))", False),
    ("SELECT IS_BIGINT(JSON_PARSE('5.0'))", False),                      # scale 1: a DECIMAL
    ("SELECT IS_DECIMAL(JSON_PARSE('5'))", True),                        # r_is_decimal: a superset of IS_BIGINT
    ("SELECT IS_DECIMAL(JSON_PARSE('\"5\"'))", False),
    ("SELECT DECIMAL_PRECISION(JSON_PARSE('3.14159'))", 6),              # r_decimal_precision
    ("SELECT DECIMAL_SCALE(JSON_PARSE('3.14159'))", 5),                  # r_decimal_scale
    ("SELECT DECIMAL_SCALE(JSON_PARSE('\"a\"'))", None),
    # c_Array_Functions
    ("SELECT ARRAY(1, 'abc', TRUE, 3.14)", '[1,"abc",true,3.14]'),      # r_array
    ("SELECT ARRAY_CONCAT(ARRAY(10001, 10002), ARRAY('ab', 'cd'))", '[10001,10002,"ab","cd"]'),
    ("SELECT ARRAY_CONCAT(ARRAY(1), JSON_PARSE('2'))", None),           # not an array: NULL
    ("SELECT ARRAY_FLATTEN(ARRAY(ARRAY(1, 2), ARRAY(3), ARRAY()))", "[1,2,3]"),
    ("SELECT GET_ARRAY_LENGTH(ARRAY(1, 2, 3))", 3),
    ("SELECT GET_ARRAY_LENGTH(JSON_PARSE('{\"a\":1}'))", None),
    ("SELECT SUBARRAY(ARRAY('a', 'b', 'c', 'd', 'e', 'f'), 2, 3)", '["c","d","e"]'),  # zero-based
    ("SELECT SUBARRAY(ARRAY('a', 'b'), 5, 3)", "[]"),
    ("SELECT SPLIT_TO_ARRAY('12|345|6789', '|')", '["12","345","6789"]'),
    ("SELECT IS_ARRAY(SPLIT_TO_ARRAY('a,b'))", True),                   # a SUPER array, ',' by default
    # query-super: zero-based subscripts, lax navigation
    ("SELECT JSON_PARSE('[10, 20]')[1]", "20"),
    ("SELECT JSON_PARSE('[10, 20]')[5]", None),
    ("SELECT JSON_PARSE('{\"a\": {\"b\": [1, 2]}}').a.b[0]", "1"),
    ("SELECT JSON_PARSE('\"abc\"')", '"abc"'),                          # a string shown as JSON
])
def test_documented_results(pg_conn, sql, expected):
    assert scalar(pg_conn, sql) == expected


@pytest.mark.parametrize("sql, expected", [
    # limitations-super: SUPER casts as the value's type would, an error becomes NULL
    ("SELECT 5::SUPER::BOOL", True),
    ("SELECT 5.0::SUPER::BOOL", None),
    ("SELECT JSON_PARSE('\"abc\"')::VARCHAR", "abc"),                   # the string, without quotes
    ("SELECT JSON_PARSE('{\"a\":1}')::VARCHAR", None),                  # an object is not a string
    ("SELECT JSON_PARSE('\"abc\"')::INT", None),                        # lax: NULL, not an error
    ("SELECT JSON_PARSE('\"12\"')::INT", 12),
    ("SELECT JSON_PARSE('3.7')::INT", 4),
    ("SELECT JSON_PARSE('null')::INT", None),
    ("SELECT JSON_PARSE('\"2024-02-29\"')::DATE::VARCHAR", "2024-02-29"),
    ("SELECT JSON_PARSE('true')::INT", 1),
])
def test_casts_from_super(pg_conn, sql, expected):
    assert scalar(pg_conn, sql) == expected


def test_super_columns_navigation_and_comparisons(pg_conn):
    run(pg_conn, "CREATE TABLE cust (id INT, c SUPER)",
        "INSERT INTO cust VALUES (1, JSON_PARSE('{\"name\": \"Joe\", \"age\": 40, \"Tags\": [\"a\", \"b\"]}')),"
        " (2, JSON_PARSE('{\"name\": \"Ann\", \"age\": \"old\"}')), (3, '{\"name\": \"Bob\"}'), (4, NULL)")
    # a string inserted into SUPER stays a string (it is not parsed)
    assert run(pg_conn, "SELECT IS_VARCHAR(c), c.name, c FROM cust WHERE id = 3") == [(True, None, '"{\\"name\\": \\"Bob\\"}"')]
    # c.name, cust.c.name, c.tags[1], c."Tags" (folded to lower case): named after the attribute
    rows = run(pg_conn, "SELECT id, c.name, cust.c.name AS qualified, c.tags[1], c.\"TAGS\"[0]::VARCHAR "
                        "FROM cust WHERE c.name = 'Joe'")
    assert rows == [(1, '"Joe"', '"Joe"', None, None)]
    # (the stored key is "Tags": Redshift folds the path, not the data)
    assert run(pg_conn, "SELECT c.missing, c.name.deeper FROM cust WHERE id = 1") == [(None, None)]
    with pg_conn.cursor() as cur:
        cur.execute(to_postgres("SELECT c.name, c.age::INT FROM cust ORDER BY id")[-1])
        assert [d.name for d in cur.description] == ["name", "age"]
    # comparisons with scalars; an ordering across types (a string vs a number) is NULL, not true
    assert run(pg_conn, "SELECT id FROM cust WHERE c.age > 30 ORDER BY id") == [(1,)]
    assert run(pg_conn, "SELECT id, c.age > 30 FROM cust WHERE id IN (1, 2) ORDER BY id") == [(1, True), (2, None)]
    assert run(pg_conn, "SELECT id FROM cust WHERE c.name IN ('Ann', 'Joe') ORDER BY id") == [(1,), (2,)]
    # UPDATE ... SET a SUPER column from a scalar
    run(pg_conn, "UPDATE cust SET c = 'plain' WHERE id = 4")
    assert run(pg_conn, "SELECT JSON_SERIALIZE(c) FROM cust WHERE id = 4") == [('"plain"',)]


def test_values_of_each_type_keep_their_type(pg_conn):
    run(pg_conn, "CREATE TABLE sv (s SUPER)",
        "INSERT INTO sv VALUES (5), (1.22), (TRUE), ('t'), (NULL), (ARRAY(1, 'a'))")
    rows = run(pg_conn, "SELECT JSON_TYPEOF(s), IS_INTEGER(s), IS_DECIMAL(s), IS_BOOLEAN(s), IS_CHAR(s) FROM sv")
    assert rows == [("number", True, True, False, False), ("number", False, True, False, False),
                    ("boolean", False, False, True, False), ("string", False, False, False, True),
                    (None, False, False, False, False), ("array", False, False, False, False)]


def test_a_driver_parameter_goes_into_super_as_its_own_type(pg_conn):
    run(pg_conn, "CREATE TABLE sp (s SUPER)")
    with pg_conn.cursor() as cur:
        for value in ("{\"a\": 1}", 7):
            for pg in to_postgres("INSERT INTO sp VALUES (%s)", catalog=PostgresCatalog(pg_conn)):
                cur.execute(pg, (value,))
    assert run(pg_conn, "SELECT JSON_TYPEOF(s) FROM sp") == [("string",), ("number",)]


@pytest.mark.parametrize("sql, named", [
    ("SELECT SIZE(JSON_PARSE('[1]'))", "SIZE"),                          # r_SIZE: in-memory size
    ("SELECT IS_FLOAT(JSON_PARSE('2.5'))", "IS_FLOAT"),                  # jsonb keeps one number type
    ("SELECT * FROM cust AS c, UNPIVOT c.c AS v AT k", "UNPIVOT"),        # PartiQL UNPIVOT of an object
    ("SELECT SUBARRAY(ARRAY(1), 0)", "SUBARRAY"),
])
def test_what_is_not_done_is_refused_by_name(sql, named):
    with pytest.raises(UnsupportedError, match=named):
        to_postgres(sql)


def test_invalid_json_is_an_error(pg_conn):
    # JSON_PARSE: parse_super_null_on_error is off by default
    with pytest.raises(psycopg2.errors.InvalidTextRepresentation):
        run(pg_conn, "SELECT JSON_PARSE('[1,')")


def test_order_by_ranks_types_as_redshift_does(pg_conn):
    # query-super, "Order by": boolean, number, string, array, object (jsonb: string before number)
    run(pg_conn, "CREATE TABLE rn (id INT, r SUPER)",
        "INSERT INTO rn VALUES (100, 'AWS'), (200, 1), (300, ARRAY(1, 'abc', NULL)), (400, -2.5), "
        "(600, TRUE), (700, JSON_PARSE('{\"a\":1}'))")
    assert run(pg_conn, "SELECT r FROM rn ORDER BY r") == [
        ("true",), ("-2.5",), ("1",), ('"AWS"',), ('[1,"abc",null]',), ('{"a":1}',)]
    assert run(pg_conn, "SELECT id FROM rn ORDER BY r DESC LIMIT 2") == [(700,), (300,)]
    # SELECT * writes the SUPER column as its text too, ORDER BY a position orders by the value
    assert run(pg_conn, "SELECT * FROM rn WHERE id IN (200, 400) ORDER BY 2") == [(400, "-2.5"), (200, "1")]
    # a subquery keeps SUPER values: only the statement's own result is serialized
    assert run(pg_conn, "SELECT COUNT(*) FROM (SELECT r FROM rn) AS q WHERE JSON_TYPEOF(q.r) = 'number'") == [(2,)]


def test_unnesting_arrays_in_from(pg_conn):
    # query-super, "Unnesting": FROM c, c.orders o [AT i]; an element's own arrays; lax for non-arrays
    run(pg_conn, "CREATE TABLE co (name VARCHAR(10), orders SUPER)",
        "INSERT INTO co VALUES ('ann', JSON_PARSE('[{\"key\": 1, \"items\": [10, 11]}, {\"key\": 2, \"items\": []}]')),"
        " ('bob', JSON_PARSE('{\"not\": \"an array\"}'))")
    assert run(pg_conn, "SELECT c.name, o.key, i AS idx FROM co AS c, c.orders AS o AT i ORDER BY idx") == [
        ("ann", "1", 0), ("ann", "2", 1)]
    assert run(pg_conn, "SELECT o.key::INT, l FROM co c, c.orders o, o.items l ORDER BY 2") == [(1, "10"), (1, "11")]
    # the page's scalar array, iterated by its bare name
    run(pg_conn, "CREATE TABLE foo AS SELECT JSON_PARSE('[[1.1, 1.2], [2.1, 2.2]]') AS multi")
    assert run(pg_conn, "SELECT arr, element FROM foo AS f, f.multi AS arr, arr AS element ORDER BY element") == [
        ("[1.1,1.2]", "1.1"), ("[1.1,1.2]", "1.2"), ("[2.1,2.2]", "2.1"), ("[2.1,2.2]", "2.2")]


def test_operators_and_functions_use_the_dynamic_type(pg_conn):
    # query-super, "Dynamic typing": results as for the static type; NULL for a mistyped value
    run(pg_conn, "CREATE TABLE dt (id INT, d SUPER)",
        "INSERT INTO dt VALUES (1, JSON_PARSE('{\"n\": 40, \"s\": \"joe\"}')), (2, JSON_PARSE('{\"n\": \"x\", \"s\": 5}'))")
    assert run(pg_conn, "SELECT d.n + 2, UPPER(d.s), d.s || '!' FROM dt ORDER BY id") == [
        (42, "JOE", "joe!"), (None, None, None)]
    assert run(pg_conn, "SELECT SUM(d.n), AVG(d.n) FROM dt") == [(40, 40)]


def test_copy_json_into_a_super_column_then_navigate(dwh_config, s3, bucket):
    # the whole path through dwhkit.connect(): CREATE TABLE … SUPER, COPY … JSON 'auto' (copy/
    # stores a SUPER field as jsonb), PartiQL navigation and unnesting over what was loaded
    import dwhkit
    s3.put_object(Bucket=bucket, Key="orders.json",
                  Body=b'{"id": 1, "doc": {"customer": "ann", "lines": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}]}}\n'
                       b'{"id": 2, "doc": {"customer": "bob", "lines": []}}\n')
    conn = dwhkit.connect(dwh_config)
    try:
        cur = conn.cursor()
        cur.execute("CREATE TABLE orders (id INT, doc SUPER)")
        cur.execute(f"COPY orders FROM 's3://{bucket}/orders.json' IAM_ROLE 'arn:aws:iam::1:role/r' JSON 'auto'")
        cur.execute("SELECT o.id, o.doc.customer::VARCHAR, l.sku, l.qty::INT FROM orders AS o, o.doc.lines AS l "
                    "ORDER BY 1, 3")
        assert cur.fetchall() == [(1, "ann", '"a"', 2), (1, "ann", '"b"', 1)]
        cur.execute("SELECT id, GET_ARRAY_LENGTH(doc.lines) FROM orders WHERE doc.customer = 'bob'")
        assert cur.fetchall() == [(2, 0)]
    finally:
        conn.close()


def test_fully_qualified_columns_are_not_navigation():
    # dbt's snapshot: "db"."schema"."table".column in UPDATE … FROM
    sql = ('UPDATE "dev"."s"."snap" SET v = src.v FROM tmp AS src '
           'WHERE src.id::text = "dev"."s"."snap".id::text AND "dev"."s"."snap".v IS NULL')
    assert "->" not in to_postgres(sql)[-1]
    assert "(s.t.c -> 'a')" in to_postgres("SELECT s.t.c.a FROM s.t")[-1]
    assert "(d.s.t.c -> 'a' -> 'b')" in to_postgres("SELECT d.s.t.c.a.b FROM d.s.t")[-1]


def test_a_system_catalogs_array_subscript_is_not_navigation():
    # Redshift has no array type, but its pg_catalog has PostgreSQL's (pg_index.indkey)
    assert "->" not in to_postgres("SELECT indkey[0] FROM pg_catalog.pg_index")[-1]
    assert "->" not in to_postgres("SELECT (CURRENT_SCHEMAS(FALSE))[1]")[-1]
    # redshift_connector's metadata query (a qualified function)
    assert "->" not in to_postgres("SELECT nspname FROM pg_catalog.pg_namespace "
                                   "WHERE nspname = (pg_catalog.current_schemas(true))[1]")[-1]
    assert "->" in to_postgres("SELECT JSON_PARSE('[1]')[0], CAST('[1]' AS SUPER)[0]")[-1]
    assert "->" in to_postgres("SELECT doc[0] FROM orders")[-1]


@pytest.mark.parametrize("sql, expected", [
    # r_object_function
    ("SELECT OBJECT()", "{}"),
    ("SELECT OBJECT('a', 1, 'b', TRUE, 'c', 3.14)", '{"a":1,"b":true,"c":3.14}'),
    ("SELECT OBJECT('a', OBJECT('aa', 1), 'b', ARRAY(2, 3), 'c', JSON_PARSE('{}'))", '{"a":{"aa":1},"b":[2,3],"c":{}}'),
    ("SELECT OBJECT('k', 5).k::INT + 1", 6),
])
def test_object(pg_conn, sql, expected):
    assert scalar(pg_conn, sql) == expected


def test_datetimes_do_not_become_super():
    # r_object_function: "OBJECT could not convert type date to super"; limitations-super
    for sql in ("SELECT OBJECT('k', '2008-12-31'::DATE)", "SELECT ARRAY(GETDATE())",
                "SELECT CAST(TIMESTAMP '2008-12-31 00:00:00' AS SUPER)"):
        with pytest.raises(UnsupportedError, match="could not convert type"):
            to_postgres(sql)


def test_serialization_keeps_blanks_and_escapes_inside_strings(pg_conn):
    # JSON_SERIALIZE is compact between tokens only; jsonb orders keys shorter first (AMBIG, see
    # super_functions.json_serialize_sql)
    got = scalar(pg_conn, "SELECT JSON_SERIALIZE(OBJECT('k: 1', 'say \"hi\", ok', 'l', ARRAY(1, 'x, y')))")
    assert got == '{"l":[1,"x, y"],"k: 1":"say \\"hi\\", ok"}'


def test_postgres_array_literals_stay_arrays(pg_conn):
    # SQLAlchemy's reflection sends `relkind = ANY (ARRAY['r', 'p'])`: ARRAY[…] is not Redshift's ARRAY(…)
    assert scalar(pg_conn, "SELECT 'r' = ANY (ARRAY['r', 'p'])") is True
    # psql's \du: ARRAY(SELECT …)
    assert scalar(pg_conn, "SELECT pg_catalog.array_to_string(ARRAY(SELECT 'a' UNION ALL SELECT 'b'), ',')") == "a,b"
