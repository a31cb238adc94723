"""Mathematical operators and functions (Math_functions): documented inputs and results.

Several pages compute from "the tickets sold in 2008" (SUM(qtysold) over TICKIT); the DEXP, EXP
and POWER results all follow from the same total, 345349, so it is used as a literal."""
from decimal import Decimal as D

from . import case
from .tickit import CATEGORY

SETUP = [*CATEGORY,
         "CREATE TABLE sales (salesid INTEGER, pricepaid DECIMAL(8,2), commission DECIMAL(8,2))",
         "INSERT INTO sales VALUES (10000, 187.00, 28.05), (784, 741.00, 111.15), (1, 728.00, 109.20),"
         " (2, 76.00, 11.40), (3, 350.00, 52.50), (4, 175.00, 26.25)",
         "CREATE TABLE t1 (d DOUBLE PRECISION, n NUMERIC(12, 2))",
         "INSERT INTO t1 VALUES (4.25, 4.25), (-4.25, -4.25)"]

SOLD_2008 = "(SELECT 345349)"

CASES = [
    case("r_OPERATOR_SYMBOLS", "SELECT commission, (commission + 2.00) AS comm FROM sales WHERE salesid = 10000",
         [(D("28.05"), D("30.05"))]),
    case("r_OPERATOR_SYMBOLS", "SELECT pricepaid, (pricepaid * .20) AS twentypct FROM sales WHERE salesid = 10000",
         [(D("187.00"), D("37.400"))],
         note="doubt: DECIMAL(8,2) * .20 should have scale 4 by the numeric-computations page; the page shows 37.400"),
    case("r_OPERATOR_SYMBOLS", f"SELECT {SOLD_2008} ^ ((5::FLOAT / 100) * 10) AS qty10years", 587.664019657491),
    case("r_OPERATOR_SYMBOLS", "SELECT SUM(pricepaid) - SUM(commission) FROM sales WHERE salesid = 10000", D("158.95")),
    case("r_ABS", "SELECT ABS(-38)", 38),
    case("r_ABS", "SELECT ABS(14 - 76)", 62),
    case("r_ACOS", "SELECT ACOS(-1)", 3.14159265358979),
    case("r_ACOS", "SELECT (ACOS(.5) * 180 / (SELECT PI())) AS degrees", 60.0),
    case("r_ASIN", "SELECT ASIN(1) * 2 AS pi", 3.14159265358979),
    case("r_ASIN", "SELECT (ASIN(.5) * 180 / (SELECT PI())) AS degrees", 30.0),
    case("r_ATAN", "SELECT ATAN(1) * 4 AS pi", 3.14159265358979),
    case("r_ATAN", "SELECT (ATAN(1) * 180 / (SELECT PI())) AS degrees", 45.0),
    case("r_ATAN2", "SELECT ATAN2(2, 2) * 4 AS pi", 3.14159265358979),
    case("r_ATAN2", "SELECT (ATAN2(1, 0) * 180 / (SELECT PI())) AS degrees", 90.0),
    case("r_CBRT", "SELECT CBRT(commission) FROM sales WHERE salesid = 10000", 3.03839539048843),
    case("r_CEILING_FLOOR", "SELECT CEILING(commission) FROM sales WHERE salesid = 10000", 29),
    case("r_COS", "SELECT COS(0)", 1.0),
    case("r_COS", "SELECT COS(PI())", -1.0),
    case("r_COT", "SELECT COT(1)", 0.642092615934331),
    case("r_DEGREES", "SELECT DEGREES(.5)", 28.6478897565412),
    case("r_DEGREES", "SELECT DEGREES(PI())", 180.0),
    case("r_DEXP", f"SELECT {SOLD_2008} * DEXP((7::FLOAT / 100) * 10) AS qty2010", 695447.483772222),
    case("r_DLOG10", "SELECT DLOG10(100)", 2.0),
    case("r_EXP", f"SELECT {SOLD_2008} * EXP((7::FLOAT / 100) * 10) AS qty2018", 695447.483772222),
    case("r_FLOOR", "SELECT FLOOR(commission) FROM sales WHERE salesid = 10000", 28),
    case("r_LN", "SELECT LN(2.718281828)", 0.9999999998311267),
    case("r_LN", "SELECT LN(2)", 0.693147180559945),
    case("r_LN", "SELECT LN(5)", 1.6094379124341),
    case("r_LOG", "SELECT LOG(100)", 2.0, note="LOG is base 10 in Redshift"),
    case("r_MOD", "SELECT MOD(10, 4)", 2),
    case("r_MOD", "SELECT MOD(10.5, 4)", D("2.5")),
    case("r_MOD", "SELECT MOD(CAST(16.4 AS INTEGER), 5)", 1),
    case("r_MOD", "SELECT MOD(5, 2) = 0 AS is_even", False),
    case("r_MOD", "SELECT 11 % 4 AS remainder", 3),
    case("r_MOD", "SELECT catid, catname FROM category WHERE MOD(catid, 2) = 1 ORDER BY 1, 2",
         [(1, "MLB"), (3, "NFL"), (5, "MLS"), (7, "Plays"), (9, "Pop"), (11, "Classical")]),
    case("r_PI", "SELECT PI()", 3.14159265358979),
    case("r_POWER", f"SELECT {SOLD_2008} * POW((1 + 7::FLOAT / 100), 10) AS qty2010", 679353.754088594),
    case("r_POWER", f"SELECT {SOLD_2008} * POW((1 + 7::FLOAT / 100 / 12), 120) AS qty2010", 694034.54678046),
    case("r_RADIANS", "SELECT RADIANS(180)", 3.14159265358979),
    case("r_ROUND", "SELECT commission, ROUND(commission) FROM sales WHERE salesid = 10000", [(D("28.05"), D("28"))]),
    case("r_ROUND", "SELECT commission, ROUND(commission, 1) FROM sales WHERE salesid = 10000", [(D("28.05"), D("28.1"))]),
    case("r_ROUND", "SELECT commission, ROUND(commission, -1) FROM sales WHERE salesid = 10000", [(D("28.05"), D("30"))]),
    case("r_SIN", "SELECT SIN(-PI())", -1.22464679914735e-16),
    case("r_SIGN", "SELECT commission, SIGN(commission) FROM sales WHERE salesid = 10000", [(D("28.05"), 1)]),
    case("r_SIGN", ("DROP TABLE IF EXISTS t2", "CREATE TABLE t2 AS SELECT SIGN(d) AS d, SIGN(n) AS n FROM t1",
                    "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't2'::regclass "
                    "AND attnum > 0 ORDER BY attnum"),
         [("double precision",), ("numeric(1,0)",)], note="SIGN of NUMERIC(12,2) is NUMERIC(1,0); read from the catalog"),
    case("r_SQRT", "SELECT SQRT(16)", 4.0),
    case("r_SQRT", "SELECT SQRT('16')", 4.0, note="implicit conversion of a string"),
    case("r_SQRT", "SELECT SQRT(ROUND(16.4))", 4.0),
    case("r_SQRT", "SELECT SQRT(20 / PI())", 2.5231325220201604,
         note="doubt: the page says 5.046265044040321, twice the radius of a circle of area 20 that its prose "
              "describes; the value that follows from the statement is expected"),
    case("r_SQRT", "SELECT SQRT(commission) FROM sales WHERE salesid < 10 ORDER BY salesid",
         [(10.4498803820905,), (3.37638860322683,), (7.24568837309472,), (5.1234753829798,)]),
    case("r_SQRT", "SELECT salesid, commission, ROUND(SQRT(commission)) FROM sales WHERE salesid < 10 ORDER BY salesid",
         [(1, D("109.20"), 10.0), (2, D("11.40"), 3.0), (3, D("52.50"), 7.0), (4, D("26.25"), 5.0)]),
    case("r_TAN", "SELECT TAN(0)", 0.0),
    case("r_TRUNC", "SELECT commission, TRUNC(commission) FROM sales WHERE salesid = 784", [(D("111.15"), D("111"))]),
    case("r_TRUNC", "SELECT commission, TRUNC(commission, 1) FROM sales WHERE salesid = 784", [(D("111.15"), D("111.1"))]),
    case("r_TRUNC", "SELECT commission, TRUNC(commission, -1) FROM sales WHERE salesid = 784", [(D("111.15"), D("110"))]),
]

SKIPPED = [
    ("r_OPERATOR_SYMBOLS", "SUM(pricepaid) and SUM(commission) per dateid >= 2000 (SALES)"),
]
