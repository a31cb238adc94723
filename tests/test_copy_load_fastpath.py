"""The vectorised fast path must never change a result: every input here is loaded twice, once with
the fast path off (DWH_COPY_FASTPATH=0, the exact per-record path) and once with it on, and the
table contents (as Postgres's text of each row, so -0 and 1e308 compare exactly), the counts, the
error (if any) and the stl_load_errors rows must be identical. Inputs cover the edge cases where
pyarrow's readers and Redshift's rules differ (pyarrow accepts NaN, hex integers, duplicate-free
objects only, ...), records the fast path must hand back to the exact path, and blocks boundaries
(files larger than one 1 MiB block with a bad record in the middle)."""
from __future__ import annotations

import gzip
import json
import random
import struct

import psycopg2
import pytest

from dwhkit.copy import fastpath
from dwhkit.copy.grammar import parse_copy
from dwhkit.targets.pg_sink import run_copy
from dwhkit.errors import CopyError

JSON_DDL = ("CREATE TABLE {t} (s varchar(10), txt text, i2 smallint, i4 int, i8 bigint, f float8, b boolean, "
            "ts timestamp, tz timestamptz)")
TEXT_DDL = "CREATE TABLE {t} (label smallint, i bigint, f float8, c varchar(8), txt text)"


@pytest.fixture
def fast_calls(monkeypatch):
    """Count blocks the fast path loaded and blocks it handed back."""
    calls = {"ok": 0, "fallback": 0}
    orig = fastpath.FastPlan.run

    def run(self, block):
        try:
            out = orig(self, block)
        except fastpath.Fallback:
            calls["fallback"] += 1
            raise
        calls["ok"] += 1
        return out
    monkeypatch.setattr(fastpath.FastPlan, "run", run)
    return calls


def _load(conn, monkeypatch, ddl, table, sql, fast: bool, dsn):
    monkeypatch.setenv("DWH_COPY_FASTPATH", "1" if fast else "0")
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(ddl.format(t=table))
    conn.commit()
    out = {}
    try:
        res = run_copy(conn, parse_copy(sql.format(t=table)), side_conn_factory=lambda: psycopg2.connect(**dsn))
        out["counts"] = (res.rows_loaded, res.rows_rejected)
        query = res.query_id
    except CopyError as exc:
        conn.rollback()
        out["error"] = str(exc).replace(table, "{t}")
        query = None
    conn.commit()
    with conn.cursor() as cur:
        cur.execute(f"SELECT t::text FROM {table} t ORDER BY 1")
        out["rows"] = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT max(query) FROM dwhkit_system.stl_load_errors") if query is None else None
        if query is None:
            query = cur.fetchone()[0]
        cur.execute("SELECT filename, line_number, trim(colname), err_code, trim(raw_field_value), trim(err_reason), "
                    "position, trim(raw_line) FROM dwhkit_system.stl_load_errors WHERE query = %s "
                    "ORDER BY filename, line_number", (query,))
        out["errors"] = cur.fetchall()
        cur.execute("SELECT filename, lines_scanned, errors FROM dwhkit_system.stl_load_commits WHERE query = %s "
                    "ORDER BY filename", (query,))
        out["commits"] = cur.fetchall()
    conn.commit()
    return out


def both(conn, monkeypatch, ddl, sql):
    """Load with each path; the results must be equal. Returns the fast path's result."""
    dsn = conn.get_dsn_parameters()
    dsn["password"] = conn.info.password
    exact = _load(conn, monkeypatch, ddl, "t_exact", sql, fast=False, dsn=dsn)
    fast = _load(conn, monkeypatch, ddl, "t_fast", sql, fast=True, dsn=dsn)
    # stl rows name the table's file, so compare everything but the query id
    assert fast == exact
    return fast


def jl(*objs) -> str:
    return "".join(json.dumps(o) + "\n" for o in objs)


def copy_json(path, opts=""):
    return f"COPY {{t}} FROM '{path.as_uri()}' IAM_ROLE default JSON 'auto' TIMEFORMAT 'epochmillisecs' {opts}"


# ----------------------------------------------------------------------------------------- JSON
GOOD = [
    {"s": "abc", "txt": "long text " * 20, "i2": 32767, "i4": -2147483648, "i8": 9223372036854775807,
     "f": 1e308, "b": True, "ts": 1655564376361, "tz": 0},
    {"s": "", "txt": "tab\there\nnewline \\ back", "i2": -32768, "i4": 0, "i8": -9223372036854775808,
     "f": -0.0, "b": False, "ts": -62135596800000, "tz": 253402300799999},
    {"s": "émoji😀", "txt": "ünïcödé ✓", "i2": None, "f": 1.5e-7},          # missing keys, explicit null
    {"f": 5e-324, "i8": 0, "ts": 1},
    {"f": 12345678901234567890123, "i4": 7},                                    # big int into float8
    {"f": 3, "x": {"nested": [1, 2, {"s": "not me"}]}, "S": "upper key is not s"},
    {},
]


def test_json_clean_input_uses_fast_path_and_matches(pg_conn, monkeypatch, tmp_path, fast_calls):
    rng = random.Random(3)
    objs = GOOD + [{"s": f"u{n}", "f": struct.unpack("d", struct.pack("Q", rng.getrandbits(62)))[0],
                    "i8": rng.randrange(-2**63, 2**63), "ts": rng.randrange(-2**40, 2**42)} for n in range(3000)]
    (tmp_path / "a.json").write_text(jl(*objs))
    out = both(pg_conn, monkeypatch, JSON_DDL, copy_json(tmp_path / "a.json"))
    assert out["counts"] == (len(objs), 0)
    assert fast_calls["ok"] >= 1 and fast_calls["fallback"] == 0


@pytest.mark.parametrize("bad", [
    '{"s": 5}', '{"s": 1.5}', '{"s": true}', '{"s": {"a": 1, "b": [1, 2]}}', '{"s": [1, "x"]}',
    '{"s": "12345678901"}', '{"s": "ééééé é"}', '{"s": "a\\u0000b"}', '{"s": "\\ud800"}',
    '{"i2": 32768}', '{"i4": 2147483648}', '{"i8": 9223372036854775808}', '{"i8": 1.0}', '{"i8": "12"}',
    '{"i8": ""}', '{"i8": true}', '{"i2": 1e3}', '{"f": "1.5"}', '{"f": ""}', '{"f": NaN}', '{"f": Infinity}',
    '{"f": 1e400}', '{"f": true}', '{"b": 1}', '{"b": "yes"}', '{"b": ""}', '{"ts": 1.5}', '{"ts": "2020-01-01"}',
    '{"ts": 253402300800000}', '{"tz": -62135596800001}', '{"s": "a", "s": "b"}', '[1, 2]', '5', '"x"',
    '{"s": "a"},', '{"s": "a"} junk', '{"s":\n"multi-line"}', '{"s": "a"}{"s": "b"}', '{"i4": 01}',
])
def test_json_edge_records_match(pg_conn, monkeypatch, tmp_path, bad):
    body = jl(*GOOD[:2]) + bad + "\n" + jl(*GOOD[2:])
    (tmp_path / "e.json").write_text(body)
    both(pg_conn, monkeypatch, JSON_DDL, copy_json(tmp_path / "e.json", "MAXERROR 5"))


@pytest.mark.parametrize("opts", ["", "MAXERROR 2", "EMPTYASNULL", "TRUNCATECOLUMNS MAXERROR 100", "IGNOREHEADER 2",
                                  "NOLOAD MAXERROR 100"])
def test_json_bad_record_deep_in_a_multiblock_file(pg_conn, monkeypatch, tmp_path, opts, fast_calls):
    rows = [{"s": f"r{n % 1000}", "txt": "x" * (n % 50), "i4": n, "f": n / 7, "ts": 1655564376361 + n}
            for n in range(60_000)]
    lines = [json.dumps(r) for r in rows]
    lines[31_000] = '{"s": "far too long for ten bytes"}'
    lines[45_000] = '{"i4": "abc"}'
    lines[52_000] = '{"s": ""}'
    (tmp_path / "big.json").write_text("\n".join(lines) + "\n")
    out = both(pg_conn, monkeypatch, JSON_DDL, copy_json(tmp_path / "big.json", opts))
    assert fast_calls["ok"] >= 1        # the blocks before the bad record were loaded fast
    assert out.get("counts", (0, 0))[0] in (0, 60_000 - 1, 60_000 - 2, 60_000 - 3)


def test_json_blank_lines_crlf_bom_and_no_final_newline(pg_conn, monkeypatch, tmp_path):
    body = "\ufeff" + "\n\n" + json.dumps(GOOD[0]) + "\r\n   \n" + json.dumps(GOOD[1]) + "\r\n" + json.dumps(GOOD[2])
    (tmp_path / "b.json").write_bytes(body.encode())
    out = both(pg_conn, monkeypatch, JSON_DDL, copy_json(tmp_path / "b.json"))
    assert out["counts"] == (3, 0)


@pytest.mark.parametrize("spec", ["auto", "auto ignorecase"])
def test_json_key_case(pg_conn, monkeypatch, tmp_path, spec):
    (tmp_path / "k.json").write_text(jl({"S": "upper", "I4": 1}, {"s": "lower", "i4": 2}, {"s": "x", "S": "y"}))
    both(pg_conn, monkeypatch, JSON_DDL, f"COPY {{t}} FROM '{(tmp_path / 'k.json').as_uri()}' IAM_ROLE default "
                                         f"JSON '{spec}' TIMEFORMAT 'epochmillisecs' MAXERROR 5")


@pytest.mark.parametrize("timeformat", ["epochsecs", "epochmillisecs", "auto"])
def test_json_time_formats(pg_conn, monkeypatch, tmp_path, timeformat):
    objs = [{"ts": 1655564376, "tz": 1655564376361}, {"ts": -1, "tz": 0}, {"ts": 253402300799},
            {"ts": 253402300800}, {"ts": "2020-01-02 03:04:05"}, {"ts": None}]
    (tmp_path / "t.json").write_text(jl(*objs))
    both(pg_conn, monkeypatch, JSON_DDL, f"COPY {{t}} FROM '{(tmp_path / 't.json').as_uri()}' IAM_ROLE default "
                                         f"JSON 'auto' TIMEFORMAT '{timeformat}' MAXERROR 10")


def test_json_not_null_column(pg_conn, monkeypatch, tmp_path):
    ddl = "CREATE TABLE {t} (s varchar(10) NOT NULL, f float8 NOT NULL DEFAULT 1)"
    (tmp_path / "n.json").write_text(jl({"s": "a", "f": 1.5}, {"f": 2.0}, {"s": "c"}, {"s": "d", "f": 4}))
    both(pg_conn, monkeypatch, ddl, f"COPY {{t}} FROM '{(tmp_path / 'n.json').as_uri()}' IAM_ROLE default "
                                    "JSON 'auto' MAXERROR 5")


def test_json_gzip_many_files_and_column_list(pg_conn, monkeypatch, tmp_path):
    for k in range(30):
        data = jl(*({"i4": k * 100 + n, "s": f"f{k}", "f": n / 3} for n in range(100)))
        (tmp_path / f"part-{k:03d}.json.gz").write_bytes(gzip.compress(data.encode()))
    out = both(pg_conn, monkeypatch, "CREATE TABLE {t} (id serial, s varchar(10), i4 int, f float8)",
               f"COPY {{t}} (i4, s, f) FROM '{tmp_path.as_uri()}/part-' IAM_ROLE default JSON 'auto' GZIP")
    assert out["counts"] == (3000, 0)


def test_json_many_small_s3_objects(pg_conn, monkeypatch, s3, bucket, fast_calls):
    for k in range(40):
        s3.put_object(Bucket=bucket, Key=f"m/part-{k:03d}.json",
                      Body=jl(*({"i4": k * 10 + n, "s": f"o{k}"} for n in range(10))).encode())
    s3.put_object(Bucket=bucket, Key="m/part-020.json", Body=b'{"i4": "bad"}\n{"i4": 1}\n')
    out = both(pg_conn, monkeypatch, JSON_DDL, f"COPY {{t}} FROM 's3://{bucket}/m/' IAM_ROLE default JSON 'auto' "
                                               "TIMEFORMAT 'epochmillisecs' MAXERROR 1")
    assert out["counts"] == (391, 1)
    assert fast_calls["ok"] >= 39


# ----------------------------------------------------------------------------------------- text / CSV
TEXT_ROWS = [
    ["1", "5", "1.5", "abc", "t"],
    ["0", "", "", "", ""],
    ["", "-0", "-0.0", "12345678", "x"],
    ["-32768", "9223372036854775807", "1e308", "ünï", "back\\slash"],
    ["32767", "-9223372036854775808", "1.5e-7", "😀😀", "tail"],
    ["1", "007", ".5", "a b", " padded "],
    ["1", " 42 ", "1.", "q", "z"],
]


def _text_body(rows, delim):
    return "".join(delim.join(r) + "\n" for r in rows)


@pytest.mark.parametrize("fmt,delim", [("CSV", ","), ("CSV DELIMITER '\\t'", "\t"), ("DELIMITER '|'", "|")])
@pytest.mark.parametrize("opts", ["", "EMPTYASNULL", "NULL AS 'NA'", "IGNOREHEADER 1", "IGNOREBLANKLINES"])
def test_text_clean_input_matches(pg_conn, monkeypatch, tmp_path, fmt, delim, opts, fast_calls):
    extra = [["1", "NA", "NA", "NA", "NA"]] if "NA" in opts else []
    (tmp_path / "c.txt").write_text(_text_body(TEXT_ROWS + extra, delim))
    out = both(pg_conn, monkeypatch, TEXT_DDL, f"COPY {{t}} FROM '{(tmp_path / 'c.txt').as_uri()}' IAM_ROLE default "
                                               f"{fmt} {opts} MAXERROR 10")
    assert out["counts"][0] >= len(TEXT_ROWS) - 1
    if "NA" not in opts:
        assert fast_calls["ok"] >= 1 and fast_calls["fallback"] == 0


@pytest.mark.parametrize("bad", [
    ["+5"], ["0x10"], ["1e3"], ["5.0"], ["32768"], ["abc"], ["1", "99999999999999999999"], ["1", "--5"], ["1", "-"],
    ["1", "5", "inf"], ["1", "5", "nan"], ["1", "5", "1e400"], ["1", "5", "Infinity"], ["1", "5", "1_0"],
    ["1", "5", "0x1p3"], ["1", "5", "1.5", "123456789"], ["1", "5", "1.5", "éééé é"], ["1", "5", "1.5", "a\\b"],
    ["1", "5", "1.5", "\\N"], ["1", "5", "1.5", "a", "b", "extra"], ["1", "5"], ["1", "5", "1.5", "a", "b", ""],
    ["1", '"5"', "1.5"], ['"a,b"', "5"], ["1", "5", "1.5", 'q"uote'], ["\\."], ["1", "5", "1.5", "\x01"],
    ["1", "5", "1.5", "a\rb"], [""], [" 5 "], ["٣"],
])
@pytest.mark.parametrize("fmt,delim", [("CSV", ","), ("DELIMITER '|'", "|")])
def test_text_edge_records_match(pg_conn, monkeypatch, tmp_path, bad, fmt, delim):
    row = bad + ["1", "2", "3", "x", "y"][len(bad):] if len(bad) < 5 and bad != [""] else bad
    body = _text_body(TEXT_ROWS[:3], delim) + delim.join(row) + "\n" + _text_body(TEXT_ROWS[3:], delim)
    (tmp_path / "e.txt").write_bytes(body.encode())
    both(pg_conn, monkeypatch, TEXT_DDL, f"COPY {{t}} FROM '{(tmp_path / 'e.txt').as_uri()}' IAM_ROLE default "
                                         f"{fmt} MAXERROR 5")


def test_text_invalid_utf8_and_acceptinvchars(pg_conn, monkeypatch, tmp_path):
    body = _text_body(TEXT_ROWS, "|").encode() + b"1|2|3.5|ab\xffc|d\n" + _text_body(TEXT_ROWS, "|").encode()
    (tmp_path / "u.txt").write_bytes(body)
    for opts in ("MAXERROR 3", "ACCEPTINVCHARS '^'"):
        both(pg_conn, monkeypatch, TEXT_DDL, f"COPY {{t}} FROM '{(tmp_path / 'u.txt').as_uri()}' IAM_ROLE default {opts}")


def test_text_multiblock_with_bad_rows_and_fillrecord(pg_conn, monkeypatch, tmp_path, fast_calls):
    rng = random.Random(5)
    lines = []
    for n in range(50_000):
        f = repr(struct.unpack("d", struct.pack("Q", rng.getrandbits(62)))[0])
        lines.append("\t".join([str(n % 2), "" if n % 3 == 0 else str(rng.randrange(-10**12, 10**12)), f,
                                "" if n % 5 == 0 else f"{rng.getrandbits(32):08x}", "t" * (n % 7)]))
    lines[20_000] = "1\tnot-a-number\t1.0\tx\ty"
    lines[40_000] = "1\t2"
    (tmp_path / "big.tsv").write_text("\n".join(lines) + "\n")
    for opts in ("EMPTYASNULL MAXERROR 5", "FILLRECORD MAXERROR 5", "MAXERROR 1"):
        both(pg_conn, monkeypatch, TEXT_DDL, f"COPY {{t}} FROM '{(tmp_path / 'big.tsv').as_uri()}' IAM_ROLE default "
                                             f"CSV DELIMITER '\\t' {opts}")
    assert fast_calls["ok"] >= 1


def test_unsupported_types_take_the_exact_path(pg_conn, monkeypatch, tmp_path, fast_calls):
    (tmp_path / "d.json").write_text(jl({"d": "2020-01-02", "n": "1.25", "r": 1.5}, {"d": "bad", "n": 2, "r": 1e39}))
    both(pg_conn, monkeypatch, "CREATE TABLE {t} (d date, n numeric(8,2), r real)",
         f"COPY {{t}} FROM '{(tmp_path / 'd.json').as_uri()}' IAM_ROLE default JSON 'auto' MAXERROR 5")
    assert fast_calls == {"ok": 0, "fallback": 0}


@pytest.mark.parametrize("opts,kind", [("EMPTYASNULL", "pgtext"), ("", "csv"), ("NULL AS ''", "pgtext")])
def test_text_blocks_pass_through_in_the_cheapest_postgres_format(pg_conn, monkeypatch, tmp_path, opts, kind):
    seen = []
    orig = fastpath.FastPlan.run

    def run(self, block):
        out = orig(self, block)
        seen.append(out[0])
        return out
    monkeypatch.setattr(fastpath.FastPlan, "run", run)
    rows = [["1", "", "2.5", "", "x y"], ["0", "-7", "", "abcdefgh", ""], ["1", " 3 ", "1e-5", "ü", "z"]]
    (tmp_path / "p.tsv").write_text(_text_body(rows * 50, "\t"))
    both(pg_conn, monkeypatch, TEXT_DDL, f"COPY {{t}} FROM '{(tmp_path / 'p.tsv').as_uri()}' IAM_ROLE default "
                                         f"CSV DELIMITER '\\t' {opts}")
    assert seen and set(seen) == {kind}


@pytest.mark.parametrize("extra", ['{"User": "upper"}', '{"\\u0055SER": "escaped"}', '{"\u212aey": "kelvin"}',
                                   '{"user": "a", "USER": "b"}', '{"other": 1}', '{"other": "mixed type"}', ''])
def test_json_ignorecase_fast_path_and_case_variants(pg_conn, monkeypatch, tmp_path, extra, fast_calls):
    ddl = "CREATE TABLE {t} (\"user\" varchar(20), key varchar(20), x float8)"
    body = jl(*({"user": f"u{n}", "x": n / 4} for n in range(200))) + (extra + "\n" if extra else "")
    (tmp_path / "i.json").write_text(body)
    out = both(pg_conn, monkeypatch, ddl, f"COPY {{t}} FROM '{(tmp_path / 'i.json').as_uri()}' IAM_ROLE default "
                                          "JSON 'auto ignorecase'")
    assert out["counts"][0] == 200 + bool(extra)
    if extra in ("", '{"other": 1}'):
        assert fast_calls["fallback"] == 0 and fast_calls["ok"] >= 1


@pytest.mark.parametrize("a,b", [('{"s": "x", "txt":\n', '"y"}\n'), ('{"s": "x", "txt": {"q":\n{"r": 1}\n', '}}\n'),
                                 ('{"s": "ok"}\n[', '1]\n'), ('{"s": "x"}\n{"txt": ', '"y"}\n{"s": "z"}\n'),
                                 ('{"s": "x"}', '{"s": "no newline before me"}')])
def test_json_record_split_across_small_files_is_not_merged(pg_conn, monkeypatch, tmp_path, a, b):
    """Small files are parsed ~1 MiB at a time by the fast path; a record left open at the end of
    one file must not swallow the start of the next (each file is its own JSON stream)."""
    (tmp_path / "part-0.json").write_text(jl({"s": "before"}))
    (tmp_path / "part-1.json").write_text(a)
    (tmp_path / "part-2.json").write_text(b)
    (tmp_path / "part-3.json").write_text(jl({"s": "after"}))
    both(pg_conn, monkeypatch, JSON_DDL, f"COPY {{t}} FROM '{tmp_path.as_uri()}/part-' IAM_ROLE default "
                                         "JSON 'auto' TIMEFORMAT 'epochmillisecs' MAXERROR 10")


# ----------------------------------------------------------------------------------------- year 0, deep nesting
DATE_DDL = "CREATE TABLE {t} (d date, ts timestamp, n int)"


@pytest.mark.parametrize("opts", ["MAXERROR 5", ""])
def test_year_zero_is_one_records_error_with_the_files_own_line(pg_conn, monkeypatch, tmp_path, opts):
    """Postgres has no year 0: '0000-01-01' must be that record's 1205/1206 (stl_load_errors row
    naming the file and its own line), not the whole COPY aborted by the server ('line 5' of the
    combined stream)."""
    (tmp_path / "p-a.csv").write_text("2020-01-01,2020-01-01 00:00:00,1\n" * 3)
    (tmp_path / "p-b.csv").write_text("2020-01-02,2020-01-02 00:00:00,2\n0000-01-01,2020-01-01 00:00:00,3\n"
                                      "2020-01-03,2020-01-03 00:00:00,4\n2020-01-04,0000-01-01 12:00:00,5\n"
                                      "0000-12-31 BC,2020-01-01 00:00:00,6\n")
    out = both(pg_conn, monkeypatch, DATE_DDL, f"COPY {{t}} FROM '{tmp_path.as_uri()}/p-' IAM_ROLE default "
                                               f"CSV {opts}")
    b = (tmp_path / "p-b.csv").as_uri()
    if opts:
        assert out["counts"] == (5, 3)
        assert [(e[0].strip(), e[1], e[2], e[3]) for e in out["errors"]] == [(b, 2, "d", 1205), (b, 4, "ts", 1206),
                                                                      (b, 5, "d", 1205)]
    else:
        assert out["error"].startswith(f"{b}, line 2, column d: ") and "1205" in out["error"]


@pytest.mark.parametrize("fmt", ["auto", "YYYY-MM-DD"])
def test_year_zero_and_out_of_range_years_in_json(pg_conn, monkeypatch, tmp_path, fmt):
    (tmp_path / "y.json").write_text(jl({"d": "2020-01-01", "n": 1}, {"d": "0000-01-01", "n": 2},
                                        {"ts": "0000-06-01 00:00:00", "n": 3}, {"d": "99999999-01-01", "n": 4},
                                        {"ts": "9999-12-31 23:59:59", "n": 5}))
    out = both(pg_conn, monkeypatch, DATE_DDL, f"COPY {{t}} FROM '{(tmp_path / 'y.json').as_uri()}' IAM_ROLE default "
                                               f"JSON 'auto' DATEFORMAT '{fmt}' TIMEFORMAT 'auto' MAXERROR 10")
    assert {e[1] for e in out["errors"]} >= {2, 3}
    assert out["counts"][0] + out["counts"][1] == 5


def _deep(n, leaf='"x"'):
    return "[" * n + leaf + "]" * n


N_GOOD = len(GOOD)


@pytest.mark.parametrize("record,counts", [
    ('{"s": "a", "x": ' + _deep(10_000) + '}', (N_GOOD + 1, 0)),             # deep, unmapped: loads
    ('{"x": {"y": ' + _deep(10_000, '{"s": "}]"}') + '}, "s": "b", "i4": 7}', (N_GOOD + 1, 0)),
    ('{"s": ' + _deep(10_000) + '}', (N_GOOD, 1)),                          # deep, mapped: its error
    ('{"txt": ' + _deep(300) + '}', (N_GOOD + 1, 0)),                       # past orjson's 254 levels
    ('{"txt": ' + _deep(10_000) + '}', (N_GOOD, 1)),
    (_deep(10_000), (N_GOOD, 1)),                                           # a deep top-level array
    ('{"s": "d", "x": ' + _deep(10_000) + '} trailing', (N_GOOD + 1, 1)),    # + junk: one more error
    # never closed: as in any JSON stream, the open record runs to the end of the file
    ('{"s": "c", "x": ' + "[" * 10_000 + "]" * 9_999 + '}', (2, 1)),
])
def test_deeply_nested_json_agrees_on_both_paths(pg_conn, monkeypatch, tmp_path, record, counts):
    """10,000 levels of nesting: the exact path used to die with RecursionError while pyarrow's
    fast path loaded the record. Decided: a deep value under a key that feeds no column is
    skipped (as pyarrow does; Redshift documents no depth limit for COPY JSON), a deep value that
    feeds a column is that record's load error (1216), naming file and line."""
    (tmp_path / "n.json").write_text(jl(*GOOD[:2]) + record + "\n" + jl(*GOOD[2:]))
    out = both(pg_conn, monkeypatch, JSON_DDL, copy_json(tmp_path / "n.json", "MAXERROR 5"))
    assert out["counts"] == counts
    assert all(e[1] >= 3 and e[3] == 1216 for e in out["errors"]), out["errors"]   # file, line, code


# The fast path must not import pandas: pyarrow imports it (~0.2 s, on every run's first COPY)
# whenever a Python value becomes an Arrow scalar, so every constant is built from a buffer.
NO_PANDAS = """
import json, sys
import psycopg2
from dwhkit.copy.grammar import parse_copy
from dwhkit.targets.pg_sink import run_copy
dsn, sql = json.loads(sys.argv[1]), sys.argv[2]
conn = psycopg2.connect(**dsn)
res = run_copy(conn, parse_copy(sql), side_conn_factory=lambda: psycopg2.connect(**dsn))
conn.commit()
print(json.dumps({"rows": res.rows_loaded, "pandas": "pandas" in sys.modules}))
"""


@pytest.mark.parametrize("ddl,body,opts", [
    (JSON_DDL, jl(*GOOD), "EMPTYASNULL"),
    (TEXT_DDL, "1,,2.5,,x\n2,7,,ab,\n", "CSV EMPTYASNULL"),
], ids=["json", "csv"])
def test_fast_path_does_not_import_pandas(pg_conn, tmp_path, ddl, body, opts):
    import subprocess
    import sys

    with pg_conn.cursor() as cur:
        cur.execute(ddl.format(t="t_np"))
    pg_conn.commit()
    src = tmp_path / "in.txt"
    src.write_text(body)
    dsn = pg_conn.get_dsn_parameters()
    dsn["password"] = pg_conn.info.password
    dsn = {k: v for k, v in dsn.items() if k in ("host", "port", "dbname", "user", "password")}
    fmt = "JSON 'auto' TIMEFORMAT 'epochmillisecs'" if ddl is JSON_DDL else ""
    sql = f"COPY t_np FROM '{src.as_uri()}' IAM_ROLE default {fmt} {opts}"
    done = subprocess.run([sys.executable, "-c", NO_PANDAS, json.dumps(dsn), sql], capture_output=True, text=True,
                          env={**__import__("os").environ, "DWH_COPY_FASTPATH": "1"})
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["rows"] == body.count("\n")
    assert out["pandas"] is False
