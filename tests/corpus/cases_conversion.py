"""Type conversion and formatting functions (r_Data_type_formatting): CAST/CONVERT, TO_CHAR,
TO_DATE, TO_NUMBER, TEXT_TO_INT_ALT, TEXT_TO_NUMERIC_ALT. Format strings keep Redshift's exact
meaning: case is significant and MONTH is blank-padded to nine characters."""
from decimal import Decimal as D

from . import Raises, case

SETUP = [
    "CREATE TABLE sales (salesid INTEGER, pricepaid DECIMAL(8,2), commission DECIMAL(8,2), saletime TIMESTAMP)",
    "INSERT INTO sales VALUES (1, 728.00, 109.20, '2008-02-18 02:36:48'), (2, 76.00, 11.40, '2008-06-06 05:00:16'),"
    " (3, 350.00, 52.50, '2008-06-06 08:26:17'), (4, 175.00, 26.25, '2008-06-09 08:38:52'),"
    " (5, 154.00, 23.10, '2008-08-31 09:17:02'), (6, 394.00, 59.10, '2008-07-16 11:59:24'),"
    " (7, 788.00, 118.20, '2008-06-26 12:56:06'), (8, 197.00, 29.55, '2008-07-10 02:12:36'),"
    " (9, 591.00, 88.65, '2008-07-22 02:23:17'), (10, 65.00, 9.75, '2008-08-06 02:51:55'),"
    " (100, 162.00, 24.30, '2008-01-01 00:00:00')",
    "CREATE TABLE event (eventid INTEGER, starttime TIMESTAMP)",
    "INSERT INTO event VALUES (1, '2008-01-25 14:30:00'), (2, '2008-01-26 20:00:00'), (3, '2008-01-27 14:30:00'),"
    " (4, '2008-01-29 14:30:00'), (5, '2008-01-01 19:00:00')",
    "CREATE TABLE caldates (dateid SMALLINT, caldate DATE)",
    "INSERT INTO caldates VALUES (1827, '2008-01-01'), (1828, '2008-01-02'), (1829, '2008-01-03')",
    "CREATE TABLE t_text2int (a VARCHAR(200), b CHAR(200))",
    "INSERT INTO t_text2int VALUES ('123', '123'), ('123.123', '123.123'), ('-123', '-123'), ('123-', '123-')",
    "CREATE TABLE t_text2numeric (a VARCHAR(200), b CHAR(200))",
    "INSERT INTO t_text2numeric VALUES ('123', '123'), ('+123.456', '+123.456'),"
    " ('-' || REPEAT('9', 38), '-' || REPEAT('9', 38)), (REPEAT('9', 38) || '+', REPEAT('9', 38) || '+'),"
    " ('-123E2', '-123E2')",
]

ROMAN = ["dcxix", "lxv", "ccxcviii", "cxlix", "cxxxi", "cccxxxv", "dclxx", "clxvii", "dii", "lv"]
DIFF = ["618.80", "64.60", "297.50", "148.75", "130.90", "334.90", "669.80", "167.45", "502.35", "55.25"]
T = "TIMESTAMP '2009-12-31 23:15:59'"

CASES = [
    case("r_CAST_function", "SELECT CAST(pricepaid AS INTEGER) FROM sales WHERE salesid = 100", 162),
    case("r_CAST_function", "SELECT pricepaid::INTEGER FROM sales WHERE salesid = 100", 162),
    case("r_CAST_function", "SELECT CAST(162.00 AS INTEGER) AS pricepaid", 162),
    case("r_CAST_function", "SELECT CAST(saletime AS DATE), salesid FROM sales ORDER BY salesid LIMIT 3",
         [("2008-02-18", 1), ("2008-06-06", 2), ("2008-06-06", 3)]),
    case("r_CAST_function", "SELECT CAST('2008-02-18 02:36:48' AS DATE) AS mysaletime", "2008-02-18"),
    case("r_CAST_function", "SELECT CAST(caldate AS TIMESTAMP), dateid FROM caldates ORDER BY dateid",
         [("2008-01-01 00:00:00", 1827), ("2008-01-02 00:00:00", 1828), ("2008-01-03 00:00:00", 1829)]),
    case("r_CAST_function", "SELECT CAST(2008 AS CHAR(4))", "2008"),
    case("r_CAST_function", "SELECT CAST(109.652 AS DECIMAL(4,1))", D("109.7"), note="rounded, not truncated"),
    case("r_CAST_function", "SELECT salesid, pricepaid::DECIMAL(38,2) * 100000000000000000000 AS value FROM sales "
         "WHERE salesid < 3 ORDER BY salesid",
         [(1, D("72800000000000000000000.00")), (2, D("7600000000000000000000.00"))]),
    case("r_CONVERT_function", "SELECT CONVERT(integer, pricepaid) FROM sales WHERE salesid = 100", 162,
         note="the page shows no result; CAST's page gives 162 for the same row"),
    case("r_CONVERT_function", "SELECT CONVERT(char(4), 2008)", "2008"),
    case("r_CONVERT_function", "SELECT CONVERT(time, saletime), salesid FROM sales ORDER BY salesid LIMIT 2",
         [("02:36:48", 1), ("05:00:16", 2)]),
    case("r_CONVERT_function", "SELECT CONVERT(datetime, '2008-02-18 02:36:48') AS mysaletime", "2008-02-18 02:36:48"),
    case("r_TO_CHAR", f"SELECT TO_CHAR({T}, 'MONTH-DY-DD-YYYY HH12:MIPM')", "DECEMBER -THU-31-2009 11:15PM",
         note="MONTH is upper case and blank-padded to 9 characters"),
    case("r_TO_CHAR", f"SELECT TO_CHAR({T}, 'DDD')", "365"),
    case("r_TO_CHAR", "SELECT TO_CHAR(TIMESTAMP '2022-05-16 23:15:59', 'ID')", "1"),
    case("r_TO_CHAR", "SELECT TO_CHAR(DATE '2009-12-31', 'MONTH')", "DECEMBER ",
         note="the page's result column hides the trailing blank of the padded name"),
    case("r_TO_CHAR", "SELECT TO_CHAR(starttime, 'HH12:MI:SS') FROM event WHERE eventid BETWEEN 1 AND 5 ORDER BY eventid",
         [("02:30:00",), ("08:00:00",), ("02:30:00",), ("02:30:00",), ("07:00:00",)]),
    case("r_TO_CHAR", "SELECT starttime, TO_CHAR(starttime, 'MON-DD-YYYY HH12:MIPM') FROM event WHERE eventid = 1",
         [("2008-01-25 14:30:00", "JAN-25-2008 02:30PM")], note="MON is upper case"),
    case("r_TO_CHAR", f"SELECT TO_CHAR({T}, 'HH24:MI:SS')", "23:15:59"),
    case("r_TO_CHAR", "SELECT TO_CHAR(-125.8, '999D99S')", "125.80-"),
    case("r_TO_CHAR", "SELECT TO_CHAR(-125.88, '$S999D99')", "$-125.88"),
    case("r_TO_CHAR", "SELECT TO_CHAR(-125.88, '$999D99PR')", "$<125.88>"),
    case("r_TO_CHAR", "SELECT TO_CHAR(125, 'RN')", "CXXV".rjust(15),
         note="doubt: the page prints CXXV unpadded here, but its 'rn' example on the same page shows the numerals "
              "right-aligned in 15 characters; the padded form is expected"),
    case("r_TO_CHAR", "SELECT salesid, pricepaid - commission, TO_CHAR(pricepaid - commission, 'rn') FROM sales "
         "WHERE salesid <= 10 ORDER BY salesid",
         [(i + 1, D(d), r.rjust(15)) for i, (d, r) in enumerate(zip(DIFF, ROMAN))],
         note="rn rounds to the nearest integer; right-aligned to 15 characters as the page's column shows"),
    case("r_TO_CHAR", "SELECT salesid, TO_CHAR(pricepaid - commission, 'l99999D99') FROM sales WHERE salesid <= 3 "
         "ORDER BY salesid", [(1, "$   618.80"), (2, "$    64.60"), (3, "$   297.50")]),
    case("r_TO_CHAR", "SELECT salesid, TO_CHAR(saletime, 'cc') FROM sales WHERE salesid <= 3 ORDER BY salesid",
         [(1, "21"), (2, "21"), (3, "21")]),
    case("r_TO_CHAR", "SELECT TO_CHAR(starttime, 'HH12:MI:SS TZ') FROM event WHERE eventid BETWEEN 1 AND 5 ORDER BY eventid",
         [("02:30:00 UTC",), ("08:00:00 UTC",), ("02:30:00 UTC",), ("02:30:00 UTC",), ("07:00:00 UTC",)],
         note="TZ on a TIMESTAMP prints UTC"),
    case("r_TO_CHAR", "SELECT TO_CHAR(TIMESTAMP '2015-04-10 18:45:09.325143', 'HH24:MI:SS'), "
         "TO_CHAR(TIMESTAMP '2015-04-10 18:45:09.325143', 'HH24:MI:SS.MS'), "
         "TO_CHAR(TIMESTAMP '2015-04-10 18:45:09.325143', 'HH24:MI:SS:US')",
         [("18:45:09", "18:45:09.325", "18:45:09:325143")], note="the page uses SYSDATE; its printed value is used"),
    case("r_TO_DATE_function", "SELECT TO_DATE('02 Oct 2001', 'DD Mon YYYY')", "2001-10-02"),
    case("r_TO_DATE_function", "SELECT TO_DATE('20010631', 'YYYYMMDD', FALSE)", "2001-07-01",
         note="non-strict: June 31 rolls over to July 1"),
    case("r_TO_DATE_function", "SELECT TO_DATE('20010631', 'YYYYMMDD', TRUE)", Raises("out of range"),
         note="strict: an error"),
    case("r_TO_DATE_function", "SELECT TO_DATE('20010631', 'YYYYMMDD')", "2001-07-01",
         note="rule: the flag defaults to FALSE"),
    case("r_TO_NUMBER", "SELECT TO_NUMBER('12,454.8-', '99G999D9S')", D("-12454.8")),
    case("r_TO_NUMBER", "SELECT TO_NUMBER('$ 12,454.88', 'L 99G999D99')", D("12454.88")),
    case("r_TEXT_TO_INT_ALT", "SELECT TEXT_TO_INT_ALT('123-')", -123),
    case("r_TEXT_TO_INT_ALT", "SELECT TEXT_TO_INT_ALT('2147483647+')", 2147483647),
    case("r_TEXT_TO_INT_ALT", "SELECT TEXT_TO_INT_ALT('-123E-2')", -1),
    case("r_TEXT_TO_INT_ALT", "SELECT TEXT_TO_INT_ALT('123{', '999S')", 1230, note="overpunch: { is +0"),
    case("r_TEXT_TO_INT_ALT", "SELECT TEXT_TO_INT_ALT('USD123', 'C9(I)')", 123),
    case("r_TEXT_TO_INT_ALT", "SELECT TEXT_TO_INT_ALT(a), TEXT_TO_INT_ALT(b) FROM t_text2int ORDER BY 1",
         [(-123, -123), (-123, -123), (123, 123), (123, 123)]),
    case("r_TEXT_TO_NUMERIC_ALT", "SELECT TEXT_TO_NUMERIC_ALT('1.5')", 2, note="default scale 0, rounded"),
    case("r_TEXT_TO_NUMERIC_ALT", "SELECT TEXT_TO_NUMERIC_ALT('2.51')", 3),
    case("r_TEXT_TO_NUMERIC_ALT", "SELECT TEXT_TO_NUMERIC_ALT('123.52501', 10, 2)", D("123.53")),
    case("r_TEXT_TO_NUMERIC_ALT", "SELECT TEXT_TO_NUMERIC_ALT(a), TEXT_TO_NUMERIC_ALT(b) FROM t_text2numeric ORDER BY 1",
         [(-int("9" * 38), -int("9" * 38)), (-12300, -12300), (123, 123), (123, 123), (int("9" * 38), int("9" * 38))]),
]

SKIPPED = [
    ("r_CONVERT_function", "CONVERT(VARCHAR(30), GETDATE()) (depends on the clock)"),
]
