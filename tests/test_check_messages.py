"""`dwh check` and run-time syntax errors: where (line:column in the file), the line with a caret,
and "did you mean …?" — for SQL (sqlglot) and for COPY / COPY JOB / UNLOAD (dwhkit's grammar, the
same one the runtime uses). Parser internals never reach the user."""
from __future__ import annotations

import subprocess
import sys

import pytest

import dwhkit
from dwhkit.check import check_redshift
from dwhkit.copy.grammar import parse_copy
from dwhkit.errors import CopySyntaxError, SqlSyntaxError, TranslateError

SCRIPT = """\
-- landing
CREATE TABLE t (a INT, b VARCHAR(20));

COPY t
FROM 's3://b/k'
IAM_ROLE default
FORMAT AS JSN 'auto';
SELECT 1; COPY t FROM 's3://b/k' IAM_ROLE default JSON 'auto'
   TIMEFORMT 'auto';
SELECT a
  FROM t
 WHERE;
INSERT INTO t SELEC a FROM t;
UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default PARALEL OFF;
COPY JOB DORP nightly;
COPY t FROM 's3://b/k' IAM_ROLE default CSV GZIP ENCODING LATIN1;
COPY t FROM 's3://b/k' IAM_ROLE default json 'auto ignorcase';
SELECT TOP 1 %s;
SELECT a FROM t WHERE a = 1 GROUPBY a;
"""

# (line, column, what the message says, suggestion or None) in file order
EXPECTED = [
    (7, 11, "expected CSV or FIXEDWIDTH or JSON", "JSON"),
    (9, 4, "unknown COPY option TIMEFORMT", "TIMEFORMAT"),
    (12, 2, "syntax error near 'WHERE': WHERE is incomplete", None),
    (13, 15, "syntax error near 'SELEC'", "SELECT"),
    (14, 52, "unknown UNLOAD option PARALEL", "PARALLEL"),
    (15, 10, "expected ALTER or RUN or LIST or SHOW or DROP after COPY JOB, found DORP", "DROP"),
    (16, 59, "ENCODING expects one of UTF8", None),
    (17, 46, "JSON expects 'auto', 'auto ignorecase'", "'auto ignorecase'"),
    (19, 29, "syntax error near 'GROUPBY'", "GROUP BY"),
]


def _caret_column(problem: str) -> int:
    """The 1-based column of the caret in the excerpt, in the source line as printed."""
    source, caret = problem.splitlines()[-2:]
    assert source.startswith("  ") and caret.strip() == "^"
    return len(caret) - 2


def test_check_finds_each_typo_with_line_column_caret_and_suggestion():
    problems = check_redshift(SCRIPT, path="etl.sql")
    assert len(problems) == len(EXPECTED), "\n".join(problems)
    lines = SCRIPT.splitlines()
    for problem, (line, column, what, hint) in zip(problems, EXPECTED):
        head = problem.splitlines()[0]
        assert head.startswith(f"etl.sql:{line}:{column}: statement "), problem
        assert what in head, problem
        if hint:
            assert head.endswith(f"; did you mean {hint}?"), problem
        else:
            assert "did you mean" not in head, problem
        # the excerpt is the file's own line, with the caret under the reported column; what
        # follows an unread spot of a COPY/UNLOAD is masked (a secret may sit behind a typo)
        shown = problem.splitlines()[-2][2:]
        verbatim = shown.split("***")[0]
        assert lines[line - 1].startswith(verbatim) and len(verbatim) > column, problem
        assert _caret_column(problem) == column


def test_check_without_a_path_names_statement_line_and_column():
    problems = check_redshift("SELECT 1;\nSELECT a\nFROM t WHERE (1")
    assert problems == ["statement 2, line 3, column 15: syntax error near '1': expected ')'\n"
                        "  FROM t WHERE (1\n"
                        "                ^"]


@pytest.mark.parametrize("sql", [
    "SELECT a FROM t WHERE", "SELECT FROM WHERE (", "SELECT (", "CREATE TABLE (a INT)", "SELECT a FROM t ORDER a",
    "INSERT INTO t VALUES (1", "SELECT CAST(a AS) FROM t", "SELECT 'unterminated", "SELECT a FROM t WHERE b = = 1",
    "WITH x AS (SELECT 1) SELEC * FROM x", "UPDAT t SET a = 1", "SELECT a FROM t /* open",
])
def test_parser_internals_never_reach_the_user(sql):
    problems = check_redshift(sql)
    assert len(problems) == 1
    with pytest.raises(TranslateError) as err:
        dwhkit.translate(sql)
    for message in (problems[0], str(err.value)):
        for internal in ("sqlglot", "<class", "Required keyword", "Token", "expressions.", "Invalid expression"):
            assert internal not in message, message
        assert "syntax error" in message or "unterminated" in message
        assert message.splitlines()[-1].strip() == "^"


def test_clean_scripts_pass():
    from dwhkit.warehouses.stedi import sql as stedi

    copies = [c.format(source="s3://b/landing/x-", auth="IAM_ROLE default")
              for c in (stedi.COPY_CUSTOMER, stedi.COPY_ACCELEROMETER, stedi.COPY_STEP_TRAINER)]
    assert check_redshift(";\n".join(stedi.create_table_queries + stedi.insert_table_queries + copies)) == []
    assert check_redshift("COPY JOB RUN nightly; COPY JOB LIST;\n"
                          "UNLOAD ('select * from t where a = ''x''') TO 's3://b/p' IAM_ROLE default CSV;\n"
                          "COPY t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::1:role/r' JSON 'auto' JOB CREATE j") == []


def test_secrets_are_masked_in_the_excerpt():
    problems = check_redshift("COPY t FROM 's3://b/k'\n  ACCESS_KEY_ID 'AKIAEXAMPLE' SECRET_ACCESS_KEY 'wJalrXUtnFEMI' GZIPP")
    assert len(problems) == 1
    assert "AKIAEXAMPLE" not in problems[0] and "wJalrXUtnFEMI" not in problems[0]
    assert problems[0].splitlines()[-2] == "    ACCESS_KEY_ID *** SECRET_ACCESS_KEY *** GZIPP"
    assert problems[0].splitlines()[0].endswith("did you mean GZIP?")
    assert _caret_column(problems[0]) == problems[0].splitlines()[-2].index("GZIPP") - 1


def test_a_secret_behind_a_typo_is_not_echoed():
    problems = check_redshift("COPY t FROM 's3://b/k' IAM_ROLE default NOT_AN_OPTION 'wJalrXUtnFEMI' JSON 'auto'")
    assert len(problems) == 1 and "wJalrXUtnFEMI" not in problems[0]
    assert problems[0].splitlines()[-2] == "  COPY t FROM 's3://b/k' IAM_ROLE default NOT_AN_OPTION***"


def test_valid_redshift_dwhkit_cannot_emulate_is_reported_as_such():
    problems = check_redshift("COPY t FROM 'dynamodb://Movies' IAM_ROLE default READRATIO 50")
    assert len(problems) == 1 and "not supported by dwhkit on Postgres targets" in problems[0]


def test_grammar_errors_at_run_time_point_into_the_statement():
    sql = "COPY t\nFROM 's3://b/k'\nIAM_ROLE default\nJSON 'auto'\nTIMEFORMT 'auto'"
    with pytest.raises(CopySyntaxError) as err:
        parse_copy(sql)
    assert str(err.value) == ("COPY: unknown COPY option TIMEFORMT at line 5, column 1; did you mean TIMEFORMAT?\n"
                              "  TIMEFORMT***\n"
                              "  ^")
    assert (err.value.position, err.value.hint) == (sql.index("TIMEFORMT"), "TIMEFORMAT")


def test_errors_through_a_connection_say_where(dwh_config):
    conn = dwhkit.connect(dwh_config)
    try:
        cur = conn.cursor()
        with pytest.raises(CopySyntaxError) as err:
            cur.execute("COPY t FROM 's3://b/k' IAM_ROLE default FORMAT AS JSN 'auto'")
        assert "at line 1, column 51; did you mean JSON?" in str(err.value)
        conn.rollback()
        with pytest.raises(SqlSyntaxError) as err:
            cur.execute("SELECT a\nFORM t")
        assert str(err.value) == ("syntax error near 'FORM' at line 2, column 1; did you mean FROM?\n"
                                  "  FORM t\n  ^")
    finally:
        conn.close()


def test_cli_check_prints_where_and_fails(tmp_path):
    bad = tmp_path / "bad.sql"
    bad.write_text("SELECT 1;\nCOPY t FROM 's3://b/k' IAM_ROLE default FORMAT AS JSN 'auto';\n")
    out = subprocess.run([sys.executable, "-m", "dwhkit.cli", "check", str(bad)], capture_output=True, text=True)
    assert out.returncode == 1
    assert "line 2, column 51" in out.stdout and "did you mean JSON?" in out.stdout
    assert "ok: every statement parses" not in out.stdout
