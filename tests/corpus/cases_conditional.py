"""Conditional expressions (c_conditional_expressions): documented inputs and results."""
from decimal import Decimal as D

from . import Raises, case
from .tickit import CATEGORY

SETUP = [*CATEGORY,
         "CREATE TABLE venue (venueid SMALLINT, venuename VARCHAR(100), venuecity VARCHAR(30), venuestate CHAR(2),"
         " venueseats INTEGER)",
         "INSERT INTO venue VALUES (1, 'Coors Field', 'Denver', 'CO', 50445), (2, 'Ballys Hotel', 'Las Vegas', 'NV', NULL),"
         " (3, 'Madison Square Garden', 'New York City', 'NY', 20000), (4, 'Bellagio Hotel', 'Las Vegas', 'NV', NULL),"
         " (5, 'Pepsi Center', 'Denver', 'CO', 19099)",
         "CREATE TABLE sales (salesid INTEGER, listid INTEGER, pricepaid DECIMAL(8,2))",
         "INSERT INTO sales VALUES (1, 1, 728.00), (2, 4, 76.00), (3, 5, 350.00), (4, 5, 175.00), (5, 6, 154.00),"
         " (6, 10, 394.00), (7, 10, 788.00), (8, 10, 197.00), (9, 10, 591.00),"
         " (10, 11, 12624.00), (11, 12, 10000.00), (12, 13, 9996.00)",
         "CREATE TABLE users (userid INTEGER, firstname VARCHAR(30), lastname VARCHAR(30), email VARCHAR(100),"
         " phone CHAR(14), state CHAR(2))",
         "INSERT INTO users VALUES (1, 'Rafael', 'Taylor', NULL, NULL, NULL), (2, 'Vladimir', 'Humphrey', NULL, NULL, NULL),"
         " (3, 'Lars', 'Ratliff', NULL, NULL, NULL), (4, 'Barry', 'Roy', NULL, NULL, NULL),"
         " (5, 'Reagan', 'Hodge', NULL, NULL, NULL), (6, 'Victor', 'Hernandez', NULL, NULL, NULL),"
         " (7, 'Tamekah', 'Juarez', NULL, NULL, NULL), (8, 'Colton', 'Roy', NULL, NULL, NULL),"
         " (9, 'Mufutau', 'Watkins', NULL, NULL, NULL),"
         " (20, 'Aphrodite', 'Acevedo', 'x@y.ca', '(906) 632-4407', 'WA'),"
         " (21, 'Caldwell', 'Acevedo', 'Nunc.sollicitudin@Duisac.ca', '(555) 555-0100', 'WA')",
         "CREATE TABLE nulliftest (c1 CHAR(2), c2 CHAR(2))",
         "INSERT INTO nulliftest VALUES ('a', 'a '), ('b', 'b')",
         "CREATE TABLE datetable (start_date DATE, end_date DATE)",
         "INSERT INTO datetable VALUES ('2008-06-01', '2008-12-31'), (NULL, '2008-12-31'), ('2008-12-31', NULL)",
         "CREATE TABLE booking_info (booking_id INT, booking_code CHARACTER(8), check_in DATE, check_out DATE,"
         " funds_collected NUMERIC(12,2))",
         "INSERT INTO booking_info VALUES (1, 'OCEAN_WV', '2023-02-01', '2023-02-03', 100.00),"
         " (2, 'OCEAN_WV', '2023-04-22', '2023-04-26', 120.00), (3, 'DSRT_SUN', '2023-03-13', '2023-03-16', 125.00),"
         " (4, 'DSRT_SUN', '2023-06-01', '2023-06-03', 140.00), (5, 'DSRT_SUN', '2023-07-10', NULL, NULL),"
         " (6, 'OCEAN_WV', '2023-08-15', NULL, NULL)"]

NAMES = {1: "Major League Baseball", 2: "National Hockey League", 3: "National Football League",
         4: "National Basketball Association", 5: "Major League Soccer"}

CASES = [
    case("r_CASE_function", "SELECT venuecity, CASE venuecity WHEN 'New York City' THEN 'Big Apple' ELSE 'other' END "
         "FROM venue ORDER BY venueid DESC LIMIT 3", [("Denver", "other"), ("Las Vegas", "other"),
                                                      ("New York City", "Big Apple")]),
    case("r_CASE_function", "SELECT pricepaid, CASE WHEN pricepaid < 10000 THEN 'group 1' WHEN pricepaid > 10000 "
         "THEN 'group 2' ELSE 'group 3' END FROM sales ORDER BY 1 DESC LIMIT 3",
         [(D("12624.00"), "group 2"), (D("10000.00"), "group 3"), (D("9996.00"), "group 1")]),
    case("r_DECODE_expression", "SELECT DECODE(DATE '2008-06-01', '2008-06-01', 'June 1st, 2008')", "June 1st, 2008",
         note="a DATE compared with a string literal"),
    case("r_DECODE_expression", "SELECT DECODE(DATE '2008-06-02', '2008-06-01', 'June 1st, 2008')", None,
         note="no match and no default: NULL"),
    case("r_DECODE_expression", "SELECT catid, DECODE(catname, 'NHL', 'National Hockey League', 'MLB', 'Major League Baseball',"
         " 'MLS', 'Major League Soccer', 'NFL', 'National Football League', 'NBA', 'National Basketball Association',"
         " 'Unknown') FROM category ORDER BY catid", [(i, NAMES.get(i, "Unknown")) for i in range(1, 12)]),
    case("r_DECODE_expression", "SELECT venuename, venuestate, DECODE(venueseats, NULL, 0, 1) FROM venue "
         "WHERE venuestate IN ('NV', 'CO') ORDER BY 2, 3, 1",
         [("Coors Field", "CO", 1), ("Pepsi Center", "CO", 1), ("Ballys Hotel", "NV", 0), ("Bellagio Hotel", "NV", 0)],
         note="DECODE matches NULL with NULL, unlike ="),
    case("r_GREATEST_LEAST", "SELECT firstname, lastname, GREATEST(firstname, lastname) FROM users WHERE userid < 10 "
         "ORDER BY 3", [("Lars", "Ratliff", "Ratliff"), ("Reagan", "Hodge", "Reagan"), ("Colton", "Roy", "Roy"),
                        ("Barry", "Roy", "Roy"), ("Tamekah", "Juarez", "Tamekah"), ("Rafael", "Taylor", "Taylor"),
                        ("Victor", "Hernandez", "Victor"), ("Vladimir", "Humphrey", "Vladimir"),
                        ("Mufutau", "Watkins", "Watkins")], ordered=False,
         note="the page orders by 3 with two 'Roy' ties; compared as a multiset"),
    case("r_GREATEST_LEAST", "SELECT LEAST('Lars', 'Ratliff')", "Lars"),
    case("r_NULLIF_function", "SELECT NULLIF(listid, salesid), salesid FROM sales WHERE salesid < 10 ORDER BY 1, 2 DESC",
         [(4, 2), (5, 4), (5, 3), (6, 5), (10, 9), (10, 8), (10, 7), (10, 6), (None, 1)], note="NULLs sort last"),
    case("r_NULLIF_function", ("DELETE FROM category WHERE catid = 0",
                               "INSERT INTO category VALUES (0, '', 'Special', 'Special')",
                               "SELECT NULLIF(catgroup, '') FROM category WHERE catdesc = 'Special'"), None),
    case("r_NULLIF_function", "SELECT NULLIF(c1, c2) FROM nulliftest", [(None,), (None,)],
         note="trailing blanks are ignored when comparing CHAR"),
    case("r_NVL2", "SELECT (firstname + ' ' + lastname) AS name, NVL2(email, email, phone) FROM users "
         "WHERE state = 'WA' AND lastname LIKE 'A%' ORDER BY lastname, firstname",
         [("Aphrodite Acevedo", "x@y.ca"), ("Caldwell Acevedo", "Nunc.sollicitudin@Duisac.ca")],
         note="+ concatenates strings in Redshift"),
    case("r_NVL2", ("UPDATE users SET email = NULL WHERE firstname = 'Aphrodite' AND lastname = 'Acevedo'",
                    "SELECT NVL2(email, email, phone) FROM users WHERE firstname = 'Aphrodite'"), "(906) 632-4407"),
    case("r_NVL_function", "SELECT COALESCE(NULL, 12, NULL)", 12),
    case("r_NVL_function", "SELECT COALESCE(NULL, 'Amazon Redshift', NULL)", "Amazon Redshift"),
    case("r_NVL_function", "SELECT COALESCE(NULL, 'Amazon Redshift', 12)", Raises("invalid input syntax"),
         note="doubt: Postgres words it 'invalid input syntax for type integer'; the fragment is the common part"),
    case("r_NVL_function", "SELECT NVL(start_date, end_date) FROM datetable ORDER BY 1",
         [("2008-06-01",), ("2008-12-31",), ("2008-12-31",)]),
    case("r_NVL_function", "SELECT COALESCE(start_date, end_date) FROM datetable ORDER BY 1",
         [("2008-06-01",), ("2008-12-31",), ("2008-12-31",)]),
    case("r_NVL_function", "SELECT COALESCE(check_out, check_in) FROM booking_info ORDER BY check_out",
         [("2023-02-03",), ("2023-03-16",), ("2023-04-26",), ("2023-06-03",), ("2023-07-10",), ("2023-08-15",)],
         ordered=False, note="the two NULL check_outs tie; their order is not defined"),
]

SKIPPED = [
    ("r_DECODE_expression", "first example's 30 June rows of the DATE table (the matching row is used)"),
]

# Conditions (r_logical_condition, r_comparison_condition, r_range_condition): the pages' rules over
# a few rows of our own (their printed rows need the full USERS/SALES tables).
SETUP += [
    "CREATE TABLE likes (userid INT, likevegas BOOLEAN, likesports BOOLEAN, likerock BOOLEAN, qtysold SMALLINT)",
    "INSERT INTO likes VALUES (1, TRUE, TRUE, NULL, 2), (2, FALSE, TRUE, FALSE, 4), (3, TRUE, FALSE, TRUE, 1),"
    " (4, FALSE, FALSE, TRUE, 3)",
]
CASES += [
    case("r_logical_condition", "SELECT userid FROM likes WHERE likevegas = 1 AND likesports = 1 ORDER BY userid", [(1,)],
         note="a BOOLEAN column compared with the integer 1"),
    case("r_logical_condition", "SELECT userid FROM likes WHERE likevegas = 1 OR likesports = 1 ORDER BY userid",
         [(1,), (2,), (3,)]),
    case("r_comparison_condition", "SELECT userid FROM likes WHERE likerock = 't' ORDER BY 1", [(3,), (4,)]),
    case("r_comparison_condition", "SELECT userid FROM likes WHERE likerock IS UNKNOWN ORDER BY userid", [(1,)]),
    case("r_range_condition", "SELECT COUNT(*) FROM likes WHERE qtysold BETWEEN 2 AND 4", 3,
         note="the range includes both ends"),
    case("r_range_condition", "SELECT COUNT(*) FROM likes WHERE qtysold BETWEEN 4 AND 2", 0,
         note="the lesser value must come first"),
    case("r_range_condition", "SELECT COUNT(*) FROM likes WHERE qtysold NOT BETWEEN 4 AND 2", 4),
]
