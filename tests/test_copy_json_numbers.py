"""JSON numbers into numeric columns (issue 12): a JSON number with a fraction or exponent is a binary
float, truncated to the column's scale unless ROUNDEC rounds it ("Loss of numeric precision",
https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-json.html; ROUNDEC,
https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html). A JSON string
holding a number is text, converted as in CSV. Every load runs through the exact path and the fast path
(``both``) and the two must agree.
"""
from __future__ import annotations

import pytest

from .copyhelpers import put
from .test_copy_load_fastpath import both, fast_calls  # noqa: F401  (a fixture)

DDL = ("CREATE TABLE {t} (id int, i2 smallint, i4 integer, i8 bigint, d decimal(8,2), d0 decimal(18,0), "
       "r real, f double precision)")
COLS = ("id", "i2", "i4", "i8", "d", "d0", "r", "f")
# only the types the fast path plans for, so that a load of these runs it
FAST_DDL = "CREATE TABLE {t} (id int, i2 smallint, i4 integer, i8 bigint, f double precision)"
FAST_COLS = ("id", "i2", "i4", "i8", "f")

# (JSON value text, column, loaded without ROUNDEC, loaded with ROUNDEC); an int is a load error code
CASES = [
    ("1540919166796.0", "i8", "1540919166796", "1540919166796"),     # the Sparkify 'registration' field
    ("2.9", "i4", "2", "3"),
    ("-2.9", "i4", "-2", "-3"),
    ("2.5", "i4", "2", "3"),                                         # half away from zero, as INSERT
    ("-0.5", "i4", "0", "-1"),
    ("0.49999999999999994", "i4", "0", "0"),                         # the binary value is below one half
    ("1e3", "i2", "1000", "1000"),
    ("1E-2", "i2", "0", "0"),
    ("32767.9", "i2", "32767", 1204),                                # ROUNDEC rounds it out of range
    ("-32768.9", "i2", "-32768", 1204),
    ("32768.5", "i2", 1204, 1204),
    ("1e10", "i4", 1204, 1204),
    ("9.3e18", "i8", 1222, 1222),
    ("9223372036854775807", "i8", "9223372036854775807", "9223372036854775807"),   # integers stay exact
    ("19.99", "d", "19.98", "19.99"),                                # binary 19.98999…: the documented loss
    ("0.29", "d", "0.28", "0.29"),
    ("20.259", "d", "20.25", "20.26"),                               # the ROUNDEC page's example
    ("2.675", "d", "2.67", "2.67"),                                  # binary 2.67499…: "not rounded as you expect"
    ("1.125", "d", "1.12", "1.13"),                                  # an exact binary tie
    ("-1.999", "d", "-1.99", "-2.00"),
    ("999999.999", "d", "999999.99", 1204),
    ("12345.9", "d0", "12345", "12346"),
    ("7", "d", "7.00", "7.00"),
    ("0.1", "f", "0.1", "0.1"),
    ("1.5", "r", "1.5", "1.5"),
    ('"19.99"', "d", "19.99", "19.99"),                              # quoted: exact, as the page advises
    ('"2.9"', "i4", 1207, 1207),                                     # quoted: text rules, as CSV's '2.9'
    ('"1540919166796.0"', "i8", 1207, 1207),
    ("true", "i4", 1207, 1207),
]


def _file(cases) -> str:
    return "".join(f'{{"id": {n}, "{col}": {val}}}\n' for n, (val, col, *_ignored) in enumerate(cases, 1))


def _expected(cases, which: int):
    loaded, errors = {}, {}
    for n, case in enumerate(cases, 1):
        (errors if isinstance(case[which], int) else loaded)[n] = (case[1], case[which])
    return loaded, errors


def _check(out, cases, which: int, cols):
    loaded, errors = _expected(cases, which)
    assert out["counts"] == (len(loaded), len(errors))
    got = {}
    for text in out["rows"]:
        vals = dict(zip(cols, text.strip("()").split(",")))
        got[int(vals["id"])] = next((c, v) for c, v in vals.items() if c != "id" and v != "")
    assert got == loaded
    assert {line: (col, code) for _f, line, col, code, *_rest in out["errors"]} == \
        {n: (col, code) for n, (col, code) in errors.items()}


@pytest.mark.parametrize("roundec", [False, True], ids=["truncate", "roundec"])
@pytest.mark.parametrize("mapping", ["auto", "jsonpaths"])
@pytest.mark.parametrize("types", ["all", "fastpath"])
def test_json_numbers_fit_the_column_scale(pg_conn, monkeypatch, s3, bucket, roundec, mapping, types):
    ddl, cols = (DDL, COLS) if types == "all" else (FAST_DDL, FAST_COLS)
    cases = [c for c in CASES if c[1] in cols]
    put(s3, bucket, "in/a.json", _file(cases))
    spec = "auto"
    if mapping == "jsonpaths":
        put(s3, bucket, "paths.json", '{"jsonpaths": [%s]}' % ", ".join(f'"$.{c}"' for c in cols))
        spec = f"s3://{bucket}/paths.json"
    sql = (f"COPY {{t}} FROM 's3://{bucket}/in/' IAM_ROLE default JSON '{spec}' MAXERROR 100"
           + (" ROUNDEC" if roundec else ""))
    out = both(pg_conn, monkeypatch, ddl, sql)
    _check(out, cases, 3 if roundec else 2, cols)


def test_clean_integers_stay_on_the_fast_path(pg_conn, monkeypatch, s3, bucket, fast_calls):
    # the rule adds nothing to clean data: integer-valued JSON numbers are still loaded by the fast path
    put(s3, bucket, "in/a.json", "".join(f'{{"id": {n}, "i8": {n * 1000}}}\n' for n in range(500)))
    out = both(pg_conn, monkeypatch, FAST_DDL, f"COPY {{t}} FROM 's3://{bucket}/in/' IAM_ROLE default JSON 'auto'")
    assert out["counts"] == (500, 0)
    assert fast_calls["ok"] >= 1 and fast_calls["fallback"] == 0


def test_csv_keeps_its_own_rule(pg_conn, monkeypatch, s3, bucket):
    # CSV/text: '1.0' into INTEGER is error 1207 (Invalid digit, Value '.'); a DECIMAL field is
    # exact decimal text, truncated to the scale — no binary float in between
    put(s3, bucket, "in/a.csv", "1,,1.0,,,,,\n2,,,,19.99,,,\n3,,,,20.259,,,\n")
    out = both(pg_conn, monkeypatch, DDL, f"COPY {{t}} FROM 's3://{bucket}/in/' IAM_ROLE default CSV MAXERROR 5")
    assert out["counts"] == (2, 1)
    assert [(e[1], e[2], e[3]) for e in out["errors"]] == [(1, "i4", 1207)]
    assert [r.split(",")[4] for r in out["rows"]] == ["19.99", "20.25"]



@pytest.mark.parametrize("roundec", [False, True], ids=["truncate", "roundec"])
def test_numbers_with_a_fraction_stay_on_the_fast_path(pg_conn, monkeypatch, s3, bucket, fast_calls, roundec):
    # the Sparkify log shape: every record's BIGINT field written as 1540919166796.0; the fast path
    # reads such a block again as floats and fits them exactly as the exact path does
    recs = [f'{{"id": {n}, "i8": {1540919166796 + n}.0, "i4": {n}.5, "i2": -{n % 300}.75, "f": {n}}}\n'
            for n in range(400)]
    recs.append('{"id": 400, "i8": 9007199254740991, "i4": 0.49999999999999994, "i2": -0.5}\n')   # 2**53 - 1
    put(s3, bucket, "in/a.json", "".join(recs))
    out = both(pg_conn, monkeypatch, FAST_DDL, f"COPY {{t}} FROM 's3://{bucket}/in/' IAM_ROLE default JSON 'auto'"
                                               + (" ROUNDEC" if roundec else ""))
    assert out["counts"] == (401, 0)
    assert fast_calls["ok"] >= 1 and fast_calls["fallback"] == 0
    assert ("(7,-7,7,1540919166803,7)" if not roundec else "(7,-8,8,1540919166803,7)") in out["rows"]
    assert ("(400,0,0,9007199254740991,)" if not roundec else "(400,-1,0,9007199254740991,)") in out["rows"]


def test_an_integer_beyond_2_53_beside_a_fraction_goes_to_the_exact_path(pg_conn, monkeypatch, s3, bucket,
                                                                         fast_calls):
    # read as float64, 2**53 + 1 would lose its last digit: that block is the exact path's
    put(s3, bucket, "in/a.json", '{"id": 1, "i8": 9007199254740993, "i4": 2.5}\n')
    out = both(pg_conn, monkeypatch, FAST_DDL, f"COPY {{t}} FROM 's3://{bucket}/in/' IAM_ROLE default JSON 'auto'")
    assert out["rows"] == ["(1,,2,9007199254740993,)"]
    assert fast_calls["fallback"] >= 1
