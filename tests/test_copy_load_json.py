"""COPY loader, JSON format and the core pipeline: real Postgres, S3 over HTTP (moto server)."""
from __future__ import annotations

import bz2
import gzip

import psycopg2
import pytest
import zstandard

from dwhkit.targets.pg_sink import run_copy
from dwhkit.copy.options import CopyCommand
from dwhkit.errors import CopyError, LoadError, UnsupportedError

from .conftest import STEDI_DATA

from .copyhelpers import ddl, jl, put, rows


@pytest.fixture
def step(pg_conn):
    ddl(pg_conn, "CREATE TABLE step (sensorreadingtime bigint, serialnumber varchar(36), distancefromobject int)")
    return pg_conn


def test_json_auto_loads_lowercase_keys_only(step, s3, bucket):
    put(s3, bucket, "st/a.json", jl({"sensorreadingtime": 1, "serialnumber": "s1", "distancefromobject": 5},
                                    {"sensorReadingTime": 2, "serialNumber": "s2", "distanceFromObject": 6}))
    res = run_copy(step, CopyCommand(table="step", source=f"s3://{bucket}/st/", format="JSON", json_spec="auto"))
    step.commit()
    assert res.rows_loaded == 2 and res.rows_rejected == 0
    assert rows(step, "SELECT * FROM step ORDER BY 1 NULLS LAST") == [(1, "s1", 5), (None, None, None)]


def cmd(bucket, prefix, **kw):
    kw.setdefault("format", "JSON")
    kw.setdefault("json_spec", "auto")
    return CopyCommand(table=kw.pop("table", "step"), source=f"s3://{bucket}/{prefix}", **kw)


def step_rows(n0, n):
    return [{"sensorreadingtime": i, "serialnumber": f"s{i}", "distancefromobject": i % 300} for i in range(n0, n0 + n)]


@pytest.mark.parametrize("comp,pack", [("GZIP", gzip.compress), ("BZIP2", bz2.compress),
                                       ("ZSTD", lambda b: zstandard.ZstdCompressor().compress(b))])
def test_compressed_objects_stream(step, s3, bucket, comp, pack):
    body = jl(*step_rows(0, 5000)).encode()
    # two concatenated members/frames, as `cat a.gz b.gz` produces
    put(s3, bucket, "c/x.json.gz", pack(body[:40000]) + pack(body[40000:]))
    res = run_copy(step, cmd(bucket, "c/", compression=comp))
    assert res.rows_loaded == 5000
    assert rows(step, "SELECT count(*), sum(sensorreadingtime), max(serialnumber) FROM step") == [(5000, 12497500, "s999")]


def test_lzop_is_refused_before_touching_s3(step, bucket):
    with pytest.raises(UnsupportedError, match="LZOP"):
        run_copy(step, cmd(bucket, "nothing", compression="LZOP"))


def test_prefix_is_a_plain_string_prefix_sorted(step, s3, bucket):
    put(s3, bucket, "x", jl(step_rows(1, 1)[0]))
    put(s3, bucket, "x.1", jl(step_rows(2, 1)[0]))
    put(s3, bucket, "x.bak", jl(step_rows(3, 1)[0]))
    put(s3, bucket, "x_folder/a.json", jl(step_rows(4, 1)[0]))
    put(s3, bucket, "y/x.json", jl(step_rows(5, 1)[0]))
    res = run_copy(step, cmd(bucket, "x"))
    assert res.files == [f"s3://{bucket}/{k}" for k in ("x", "x.1", "x.bak", "x_folder/a.json")]
    assert [r[0] for r in rows(step, "SELECT sensorreadingtime FROM step ORDER BY 1")] == [1, 2, 3, 4]
    commits = rows(step, "SELECT trim(filename), lines_scanned, errors, trim(file_format) "
                         "FROM dwhkit_system.stl_load_commits WHERE query = %d ORDER BY 1" % res.query_id)
    assert commits == [(f"s3://{bucket}/x", 1, 0, "JSON"), (f"s3://{bucket}/x.1", 1, 0, "JSON"),
                       (f"s3://{bucket}/x.bak", 1, 0, "JSON"), (f"s3://{bucket}/x_folder/a.json", 1, 0, "JSON")]


def test_missing_bucket_and_missing_prefix_are_clear_errors(step, s3, bucket):
    with pytest.raises(CopyError, match="does not exist"):
        run_copy(step, cmd("no-such-bucket-dwhkit", "a"))
    put(s3, bucket, "a/1.json", "{}")
    with pytest.raises(CopyError, match="prefix .*b/"):
        run_copy(step, cmd(bucket, "b/"))
    # the caller's transaction is still usable
    assert rows(step, "SELECT 1") == [(1,)]


def test_auto_ignorecase_matches_mixed_case_keys(step, s3, bucket):
    put(s3, bucket, "k", jl({"sensorReadingTime": 7, "SERIALNUMBER": "a", "distanceFromObject": 9, "extra": 1}))
    run_copy(step, cmd(bucket, "k", json_spec="auto ignorecase"))
    assert rows(step, "SELECT * FROM step") == [(7, "a", 9)]


def test_jsonpaths_dot_bracket_and_index(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (a varchar(10), b int, c varchar(50), d varchar(20))")
    put(s3, bucket, "paths/dot.json", '{"jsonpaths": ["$.outer.name", "$.list[1]", "$.outer", "$.missing.deep"]}')
    put(s3, bucket, "paths/br.json", "{\"jsonpaths\": [\"$['outer']['name']\", \"$['list'][1]\", \"$['outer']\", \"$['nope']\"]}")
    put(s3, bucket, "data/d.json", jl({"outer": {"name": "n1", "k": [1, 2]}, "list": [10, 20]}))
    run_copy(pg_conn, cmd(bucket, "data/", table="t", json_spec=f"s3://{bucket}/paths/dot.json"))
    run_copy(pg_conn, cmd(bucket, "data/", table="t", json_spec=f"s3://{bucket}/paths/br.json"))
    assert rows(pg_conn, "SELECT * FROM t") == [("n1", 20, '{"name":"n1","k":[1,2]}', None)] * 2


@pytest.mark.parametrize("body,why", [
    ('{"jsonpaths": ["$.a"]} {"x": 1}', "malformed"),
    ('{"jsonpaths": ["$.a", ""]}', "element 1"),
    ('{"jsonpaths": ["$.a", 5]}', "element 1"),
    ('{"jsonpaths": ["$.a[*]", "$.b"]}', "not a valid"),
    ("{\"jsonpaths\": [\"$.a['b']\", \"$.b\"]}", "mixes"),
    ('{"jsonpaths": ["$.a"]}', "should match"),
])
def test_invalid_jsonpaths_file_fails_naming_it(pg_conn, s3, bucket, body, why):
    ddl(pg_conn, "CREATE TABLE t (a int, b int)")
    put(s3, bucket, "p.json", body)
    put(s3, bucket, "d/1.json", jl({"a": 1, "b": 2}))
    with pytest.raises(CopyError, match=rf"Invalid JSONPath file s3://{bucket}/p.json: .*{why}"):
        run_copy(pg_conn, cmd(bucket, "d/", table="t", json_spec=f"s3://{bucket}/p.json", maxerror=100))
    assert rows(pg_conn, "SELECT count(*) FROM t") == [(0,)]


def test_jsonpaths_file_without_jsonpaths_key_falls_back_to_auto(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (a int, b int)")
    put(s3, bucket, "p.json", '{"paths": ["$.b", "$.a"]}')
    put(s3, bucket, "d/1.json", jl({"a": 1, "b": 2}))
    run_copy(pg_conn, cmd(bucket, "d/", table="t", json_spec=f"s3://{bucket}/p.json"))
    assert rows(pg_conn, "SELECT * FROM t") == [(1, 2)]


def test_epochmillisecs_into_timestamp_and_timestamptz(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE ev (ts timestamp, tz timestamptz, d date)")
    put(s3, bucket, "e", jl({"ts": 1655293787680, "tz": "1655293787680", "d": "2022-06-15"},
                            {"ts": 0, "tz": -1000, "d": None}))
    run_copy(pg_conn, cmd(bucket, "e", table="ev", timeformat="epochmillisecs"))
    got = rows(pg_conn, "SELECT ts::text, tz::text, d::text FROM ev ORDER BY ts")
    assert got == [("1970-01-01 00:00:00", "1969-12-31 23:59:59+00", None),
                   ("2022-06-15 11:49:47.68", "2022-06-15 11:49:47.68+00", "2022-06-15")]


def test_epochsecs_and_pattern_timeformat(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE ev (ts timestamp)")
    put(s3, bucket, "a", jl({"ts": 86400}, {"ts": "86401.5"}))
    run_copy(pg_conn, cmd(bucket, "a", table="ev", timeformat="epochsecs"))
    put(s3, bucket, "b", jl({"ts": "03/04/2021 01:02:03 PM"}, {"ts": "03/04/2021 11:02:03.25 AM"}))
    run_copy(pg_conn, cmd(bucket, "b", table="ev", timeformat="MM/DD/YYYY HH12:MI:SS AM"))
    assert [r[0] for r in rows(pg_conn, "SELECT ts::text FROM ev ORDER BY ts")] == [
        "1970-01-02 00:00:00", "1970-01-02 00:00:01.5", "2021-03-04 11:02:03.25", "2021-03-04 13:02:03"]


def test_bad_record_names_key_line_column_and_leaves_table_untouched(step, s3, bucket):
    ddl(step, "INSERT INTO step VALUES (100, 'before', 1)")
    put(s3, bucket, "bad/k.json", jl(*step_rows(0, 2)) + '{"sensorreadingtime": 3, "distancefromobject": "abc"}\n'
        + jl(*step_rows(4, 2)))
    with pytest.raises(LoadError) as ei:
        run_copy(step, cmd(bucket, "bad/"))
    e = ei.value
    assert (e.key, e.line, e.column) == (f"s3://{bucket}/bad/k.json", 3, "distancefromobject")
    assert str(e).startswith(f"s3://{bucket}/bad/k.json, line 3, column distancefromobject: "
                             "invalid digit 'abc' for integer (1207)")
    assert "Load into table 'step' failed. Check 'stl_load_errors' system table for details." in str(e)
    # the caller's transaction survives and the table is exactly as before
    assert rows(step, "SELECT * FROM step") == [(100, "before", 1)]
    step.commit()
    err = rows(step, "SELECT trim(filename), line_number, trim(colname), trim(type), err_code, "
                     "trim(raw_field_value), query FROM dwhkit_system.stl_load_errors")
    assert err[0][:6] == (f"s3://{bucket}/bad/k.json", 3, "distancefromobject", "int4", 1207, "abc")
    assert rows(step, "SELECT dwhkit_system.pg_last_copy_id(), dwhkit_system.pg_last_copy_count()") == [(err[0][6], 0)]


def test_maxerror_counts_rejects_and_fails_only_when_exceeded(step, s3, bucket, pg_dsn):
    bad = '{"sensorreadingtime": "x%d"}\n'
    body = jl(*step_rows(0, 3)) + "".join(bad % i for i in range(3)) + jl(*step_rows(10, 2))
    put(s3, bucket, "m.json", body)
    side = lambda: psycopg2.connect(**pg_dsn)  # noqa: E731
    # AMBIG decision: fails when errors > MAXERROR (AWS example), so 3 bad records pass MAXERROR 3
    res = run_copy(step, cmd(bucket, "m.json", maxerror=3), side_conn_factory=side)
    assert (res.rows_loaded, res.rows_rejected) == (5, 3)
    assert "3 record(s) could not be loaded" in res.message
    with pytest.raises(LoadError, match=r"Load into table 'step' failed\. .*4 record\(s\)|3 record\(s\)") as ei:
        run_copy(step, cmd(bucket, "m.json", maxerror=2), side_conn_factory=side)
    assert "Check 'stl_load_errors' system table for details." in str(ei.value)
    assert "3 record(s) could not be loaded (MAXERROR 2)" in str(ei.value)
    step.rollback()  # the caller abandons its transaction: the first COPY's rows go, the log stays
    assert rows(step, "SELECT count(*) FROM step") == [(0,)]
    log = rows(step, "SELECT query, line_number, trim(colname), trim(type), trim(col_length), err_code, "
                     "trim(raw_field_value), trim(raw_line), starttime IS NOT NULL "
                     "FROM dwhkit_system.stl_load_errors ORDER BY query, line_number")
    assert len(log) == 6
    first_q = log[0][0]
    assert [r[1] for r in log] == [4, 5, 6, 4, 5, 6]
    assert log[0][2:] == ("sensorreadingtime", "int8", "0", 1207, "x0", '{"sensorreadingtime": "x0"}', True)
    assert {r[0] for r in log[3:]} == {first_q + 1}


def test_ignoreallerrors_keeps_going(step, s3, bucket):
    put(s3, bucket, "m.json", "".join('{"distancefromobject": "n%d"}\n' % i for i in range(50)) + jl(*step_rows(0, 1)))
    res = run_copy(step, cmd(bucket, "m.json", ignoreallerrors=True))
    assert (res.rows_loaded, res.rows_rejected) == (1, 50)
    assert rows(step, "SELECT count(*) FROM dwhkit_system.stl_load_errors") == [(50,)]


def test_noload_validates_only(step, s3, bucket):
    put(s3, bucket, "ok.json", jl(*step_rows(0, 10)))
    res = run_copy(step, cmd(bucket, "ok.json", noload=True))
    assert res.rows_loaded == 0 and rows(step, "SELECT count(*) FROM step") == [(0,)]
    put(s3, bucket, "bad.json", '{"distancefromobject": "1.5"}\n')       # a string: text rules, 1207
    with pytest.raises(LoadError, match="line 1, column distancefromobject"):
        run_copy(step, cmd(bucket, "bad.json", noload=True))


def test_stream_rules_whitespace_braces_and_junk(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (a int, b varchar(100))")
    body = ('{"a": 1, "b": "x"}{"a": 2,\n  "b": "multi\\nline \\"}{\\""\n}\n\n'
            '   {"a": 3}  ,  {"a": 4}\n'
            '{"a": 5},\n'
            'garbage\n'
            '{"a": 6, "b": {"k": [1, 2]}}')
    put(s3, bucket, "s.json", body)
    res = run_copy(pg_conn, cmd(bucket, "s.json", table="t", maxerror=10))
    assert res.rows_loaded == 6 and res.rows_rejected == 3   # ',' twice and 'garbage': one error each
    assert rows(pg_conn, "SELECT a, b FROM t ORDER BY a") == [
        (1, "x"), (2, 'multi\nline "}{"'), (3, None), (4, None), (5, None), (6, '{"k":[1,2]}')]
    log = rows(pg_conn, "SELECT line_number, err_code, trim(raw_line) FROM dwhkit_system.stl_load_errors "
                        "ORDER BY line_number")
    assert log == [(5, 1216, ","), (6, 1216, ","), (7, 1216, "garbage")]


@pytest.mark.skipif(not STEDI_DATA.exists(), reason="../shared/data/stedi is not here")
def test_stedi_v2022_step_trainer_trailing_commas(pg_conn, s3, bucket):
    """Real landing data whose lines end with '},': every comma is one load error (Redshift's rule)."""
    from pathlib import Path
    src = Path(__file__).resolve().parent.parent.parent / "shared/data/stedi/v2022_original/step_trainer"
    files = sorted(src.glob("*.json"))[:2]
    n_lines = 0
    for f in files:
        data = f.read_bytes()
        n_lines += data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        put(s3, bucket, f"landing/step_trainer/{f.name}", data)
    ddl(pg_conn, "CREATE TABLE st (sensorreadingtime timestamp, serialnumber varchar(36), distancefromobject int)")
    c = cmd(bucket, "landing/step_trainer/", table="st", json_spec="auto ignorecase", timeformat="epochmillisecs")
    with pytest.raises(LoadError, match=r"line 1: Invalid JSON: unexpected characters ','"):
        run_copy(pg_conn, c)
    res = run_copy(pg_conn, CopyCommand(**{**c.__dict__, "ignoreallerrors": True}))
    assert res.rows_loaded > 100 and res.rows_rejected >= res.rows_loaded - 2
    assert rows(pg_conn, "SELECT count(*), count(serialnumber), min(sensorreadingtime) > '2022-01-01' FROM st") == [
        (res.rows_loaded, res.rows_loaded, True)]


def test_value_rules_objects_empty_strings_missing_keys(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (s varchar(50), n int, d date, b boolean, f double precision, "
                 "e varchar(5), j varchar(30))")
    put(s3, bucket, "v", jl({"s": "", "n": "", "d": "", "b": "", "f": "", "e": None, "j": [1, {"a": None}]},
                           {"s": 12, "n": "  42 ", "b": True, "f": 1.5, "e": "ab", "j": {"x": "y"}},
                           {"s": 1.25, "b": "YES", "f": "-2e3", "j": False}))
    run_copy(pg_conn, cmd(bucket, "v", table="t"))
    got = rows(pg_conn, "SELECT * FROM t ORDER BY n NULLS FIRST, f NULLS FIRST")
    assert got == [
        ("", None, None, None, None, None, '[1,{"a":null}]'),   # "" → '' for varchar, NULL otherwise
        ("1.25", None, None, True, -2000.0, None, "false"),      # number/bool into varchar → JSON text
        ("12", 42, None, True, 1.5, "ab", '{"x":"y"}'),
    ]


@pytest.mark.skipif(not STEDI_DATA.exists(), reason="../shared/data/stedi is not here")
def test_parsed_statement_loads_stedi_2023_customers(pg_conn, s3, bucket):
    """End to end with the team's parser and real landing data (absent share keys → NULL).
    birthday is varchar here: the file holds '993-01-01', which DATEFORMAT 'YYYY-MM-DD' rejects."""
    from pathlib import Path

    from dwhkit.copy.grammar import parse_copy
    src = Path(__file__).resolve().parent.parent.parent / "shared/data/stedi/v2023_reduced/customer"
    f = sorted(src.glob("*.json"))[0]
    data = f.read_bytes()
    put(s3, bucket, f"landing/customer/{f.name}.gz", gzip.compress(data))
    ddl(pg_conn, "CREATE TABLE customer (customername varchar(256), email varchar(256), phone varchar(32), "
                 "birthday varchar(10), serialnumber varchar(36), registrationdate timestamp, lastupdatedate timestamp, "
                 "sharewithresearchasofdate timestamp, sharewithpublicasofdate timestamp, "
                 "sharewithfriendsasofdate timestamp, loaded_at timestamp DEFAULT now())")
    c = parse_copy(f"COPY customer (customername, email, phone, birthday, serialnumber, registrationdate, "
                   f"lastupdatedate, sharewithresearchasofdate, sharewithpublicasofdate, sharewithfriendsasofdate) "
                   f"FROM 's3://{bucket}/landing/customer/' IAM_ROLE default "
                   f"FORMAT AS JSON 'auto ignorecase' TIMEFORMAT 'epochmillisecs' GZIP")
    res = run_copy(pg_conn, c)
    n = sum(1 for line in data.splitlines() if line.strip())
    assert res.rows_loaded == n and res.rows_rejected == 0
    absent = sum(1 for line in data.splitlines() if line.strip() and b"shareWithResearchAsOfDate" not in line)
    assert rows(pg_conn, "SELECT count(*) FILTER (WHERE sharewithresearchasofdate IS NULL), "
                         "count(loaded_at), min(registrationdate) > '2020-01-01' FROM customer") == [(absent, n, True)]


def test_generated_by_default_identity_needs_no_explicit_ids_in_a_list(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY, a int)")
    put(s3, bucket, "d", jl({"id": 50, "a": 1}))
    run_copy(pg_conn, cmd(bucket, "d", table="t"))                   # no list: identity skipped
    run_copy(pg_conn, cmd(bucket, "d", table="t", columns=("id", "a")))  # BY DEFAULT: loads without EXPLICIT_IDS
    assert rows(pg_conn, "SELECT id, a FROM t ORDER BY id") == [(1, 1), (50, 1)]
