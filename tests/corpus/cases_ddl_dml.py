"""Query clauses and DDL/DML behaviour: PIVOT/UNPIVOT (r_FROM_clause-pivot-unpivot-examples),
CREATE TABLE AS column names, UPDATE/DELETE forms."""
from decimal import Decimal as D

from . import Raises, case

SETUP = [
    "CREATE TABLE part (partname VARCHAR, manufacturer VARCHAR, quality INT, price DECIMAL(12, 2))",
    "INSERT INTO part VALUES ('prop', 'local parts co', 2, 10.00), ('prop', 'big parts co', NULL, 9.00),"
    " ('prop', 'small parts co', 1, 12.00), ('rudder', 'local parts co', 1, 2.50), ('rudder', 'big parts co', 2, 3.75),"
    " ('rudder', 'small parts co', NULL, 1.90), ('wing', 'local parts co', NULL, 7.50), ('wing', 'big parts co', 1, 15.20),"
    " ('wing', 'small parts co', NULL, 11.80)",
    "CREATE TABLE count_by_color (quality VARCHAR, red INT, green INT, blue INT)",
    "INSERT INTO count_by_color VALUES ('high', 15, 20, 7), ('normal', 35, NULL, 40), ('low', 10, 23, NULL)",
    "CREATE TABLE bookings (booking_id INT, hotel_code CHAR(8), booking_date DATE, price DECIMAL(12, 2))",
    "INSERT INTO bookings VALUES (1, 'FOREST_L', '02/01/2023', 75.12), (2, 'FOREST_L', '02/02/2023', 75.00),"
    " (3, 'FOREST_L', '02/04/2023', 85.54), (4, 'FOREST_L', '02/08/2023', 75.00), (5, 'FOREST_L', '02/11/2023', 75.00),"
    " (6, 'FOREST_L', '02/14/2023', 90.00), (10, 'DESERT_S', '02/01/2023', 98.00), (11, 'DESERT_S', '02/02/2023', 75.00),"
    " (13, 'DESERT_S', '02/05/2023', 75.00), (14, 'DESERT_S', '02/06/2023', 34.00)",
]

UNPIVOTED = [("red", 15), ("red", 35), ("red", 10), ("green", 20), ("green", 23), ("blue", 7), ("blue", 40)]

CASES = [
    case("r_FROM_clause-pivot-unpivot-examples", "SELECT * FROM (SELECT partname, price FROM part) PIVOT "
         "(AVG(price) FOR partname IN ('prop', 'rudder', 'wing'))", [(D("10.33"), D("2.71"), D("11.50"))],
         note="AVG of DECIMAL(12,2) keeps scale 2"),
    case("r_FROM_clause-pivot-unpivot-examples", "SELECT partname, AVG(price) FROM (SELECT partname, price FROM part) "
         "WHERE partname IN ('prop', 'rudder', 'wing') GROUP BY partname",
         [("prop", D("10.33")), ("rudder", D("2.71")), ("wing", D("11.50"))], ordered=False,
         note="a FROM subquery without an alias"),
    case("r_FROM_clause-pivot-unpivot-examples", "SELECT * FROM (SELECT quality, manufacturer FROM part) PIVOT "
         "(COUNT(*) FOR quality IN (1, 2, NULL))",
         [("local parts co", 1, 1, 1), ("big parts co", 1, 1, 1), ("small parts co", 1, 0, 2)], ordered=False,
         note="manufacturer is an implicit GROUP BY column; IN (NULL) counts NULLs"),
    case("r_FROM_clause-pivot-unpivot-examples", "SELECT manufacturer, quality, COUNT(*) FROM (SELECT quality, manufacturer "
         "FROM part) WHERE quality IN (1, 2) OR quality IS NULL GROUP BY manufacturer, quality ORDER BY manufacturer",
         [("big parts co", None, 1), ("big parts co", 2, 1), ("big parts co", 1, 1), ("local parts co", 2, 1),
          ("local parts co", 1, 1), ("local parts co", None, 1), ("small parts co", 1, 1), ("small parts co", None, 2)],
         ordered=False),
    case("r_FROM_clause-pivot-unpivot-examples", "SELECT * FROM (SELECT quality, manufacturer FROM part) PIVOT "
         "(COUNT(*) AS count FOR quality IN (1 AS high, 2 AS low, NULL AS na))",
         [("local parts co", 1, 1, 1), ("big parts co", 1, 1, 1), ("small parts co", 1, 0, 2)], ordered=False),
    case("r_FROM_clause-pivot-unpivot-examples", ("SELECT * FROM (SELECT quality, manufacturer FROM part) PIVOT "
         "(COUNT(*) AS count FOR quality IN (1 AS high, 2 AS low, NULL AS na)) WHERE manufacturer = 'small parts co'",),
         [("small parts co", 1, 0, 2)], note="column names high_count, low_count, na_count"),
    case("r_FROM_clause-pivot-unpivot-examples", "SELECT * FROM (SELECT booking_id, (DATE_TRUNC('week', booking_date::DATE) "
         "+ '5 days'::INTERVAL)::DATE AS enddate, hotel_code AS \"hotel code\" FROM bookings) PIVOT (COUNT(booking_id) FOR "
         "enddate IN ('2023-02-04', '2023-02-11', '2023-02-18'))",
         [("FOREST_L", 3, 2, 1), ("DESERT_S", 3, 1, 0)], ordered=False,
         note="the page's FOREST_L/DESERT_S rows, from the subset of its bookings rows inserted here"),
    case("r_FROM_clause-pivot-unpivot-examples", "SELECT booking_date, MAX(CASE WHEN hotel_code = 'FOREST_L' THEN "
         "'forest is booked' ELSE '' END) AS forest_l, MAX(CASE WHEN hotel_code = 'DESERT_S' THEN 'desert is booked' ELSE '' "
         "END) AS desert_s FROM bookings GROUP BY booking_date ORDER BY booking_date ASC LIMIT 5",
         [("2023-02-01", "forest is booked", "desert is booked"), ("2023-02-02", "forest is booked", "desert is booked"),
          ("2023-02-04", "forest is booked", ""), ("2023-02-05", "", "desert is booked"), ("2023-02-06", "", "desert is booked")]),
    case("r_FROM_clause-pivot-unpivot-examples", "SELECT * FROM (SELECT red, green, blue FROM count_by_color) UNPIVOT "
         "(cnt FOR color IN (red, green, blue))", UNPIVOTED, ordered=False, note="NULL inputs are skipped"),
    case("r_FROM_clause-pivot-unpivot-examples", "SELECT * FROM (SELECT red, green, blue FROM count_by_color) UNPIVOT "
         "INCLUDE NULLS (cnt FOR color IN (red, green, blue))", UNPIVOTED + [("green", None), ("blue", None)], ordered=False),
    case("r_FROM_clause-pivot-unpivot-examples", "SELECT * FROM count_by_color UNPIVOT (cnt FOR color IN (red, green, blue))",
         [("high", "red", 15), ("normal", "red", 35), ("low", "red", 10), ("high", "green", 20), ("low", "green", 23),
          ("high", "blue", 7), ("normal", "blue", 40)], ordered=False, note="quality is an implicit column"),
    case("r_FROM_clause-pivot-unpivot-examples", "SELECT * FROM count_by_color UNPIVOT "
         "(cnt FOR color IN (red AS r, green AS g, blue AS b))",
         [("high", "r", 15), ("normal", "r", 35), ("low", "r", 10), ("high", "g", 20), ("low", "g", 23),
          ("high", "b", 7), ("normal", "b", 40)], ordered=False),
    case("r_DATE_PART_function", ("DROP TABLE IF EXISTS ctas_names",
                                  "CREATE TABLE ctas_names AS SELECT DATE_PART(minute, TIMESTAMP '2023-01-04 04:05:06')",
                                  "SELECT attname FROM pg_attribute WHERE attrelid = 'ctas_names'::regclass AND attnum > 0"),
         "pgdate_part", note="the default column name of DATE_PART is pgdate_part"),
    case("r_DATEADD_function", ("DROP TABLE IF EXISTS ctas_names2",
                                "CREATE TABLE ctas_names2 AS SELECT DATEADD(month, 18, '2008-02-28')",
                                "SELECT attname FROM pg_attribute WHERE attrelid = 'ctas_names2'::regclass AND attnum > 0"),
         "date_add", note="the default column name of DATEADD is date_add"),
    case("r_NVL_function", ("DROP TABLE IF EXISTS ctas_names3",
                            "CREATE TABLE ctas_names3 AS SELECT NVL(quality, 0) FROM part",
                            "SELECT attname FROM pg_attribute WHERE attrelid = 'ctas_names3'::regclass AND attnum > 0"),
         "coalesce", note="the default column name of NVL is coalesce"),
    case("r_DECODE_expression", ("DROP TABLE IF EXISTS ctas_names4",
                                 "CREATE TABLE ctas_names4 AS SELECT DECODE(quality, 1, 'one', 'other') FROM part",
                                 "SELECT attname FROM pg_attribute WHERE attrelid = 'ctas_names4'::regclass AND attnum > 0"),
         "case", note="the page's DECODE result column is named case"),
]

# c_Examples_of_UPDATE_statements: each case starts from a fresh copy of the CATEGORY rows.
from .tickit import CATEGORY  # noqa: E402

FRESH = ("DROP TABLE IF EXISTS category", *CATEGORY,
         "DROP TABLE IF EXISTS event", "CREATE TABLE event (eventid INT, catid SMALLINT)",
         "INSERT INTO event VALUES (1, 9), (2, 8), (3, 6), (4, 7), (5, 9)")
UPD = "c_Examples_of_UPDATE_statements"

CASES += [
    case(UPD, (*FRESH, "UPDATE category SET catgroup = 'Theatre' WHERE catid BETWEEN 6 AND 8",
               "SELECT catid, catgroup, catname FROM category WHERE catid BETWEEN 6 AND 8 ORDER BY catid"),
         [(6, "Theatre", "Musicals"), (7, "Theatre", "Plays"), (8, "Theatre", "Opera")]),
    case(UPD, (*FRESH, "UPDATE category SET catgroup = 'Theatre' WHERE catid BETWEEN 6 AND 8",
               "UPDATE category SET catdesc = DEFAULT, catname = 'Shows' WHERE catgroup = 'Theatre'",
               "SELECT catid, catgroup, catname, catdesc FROM category WHERE catname = 'Shows' ORDER BY catid"),
         [(6, "Theatre", "Shows", None), (7, "Theatre", "Shows", None), (8, "Theatre", "Shows", None)],
         note="DEFAULT with no declared default is NULL"),
    case(UPD, (*FRESH, "UPDATE category SET catdesc = 'Broadway Musical' WHERE category.catid IN (SELECT category.catid "
               "FROM category JOIN event ON category.catid = event.catid WHERE catname = 'Musicals')",
               "SELECT catid, catdesc FROM category WHERE catid IN (5, 6, 7) ORDER BY 1"),
         [(5, "Major League Soccer"), (6, "Broadway Musical"), (7, "All non-musical theatre")]),
    case(UPD, (*FRESH, "UPDATE category SET catid = 100 FROM event WHERE event.catid = category.catid",
               "SELECT catid, catname FROM category ORDER BY 1, 2"),
         [(1, "MLB"), (2, "NHL"), (3, "NFL"), (4, "NBA"), (5, "MLS"), (10, "Jazz"), (11, "Classical"), (100, "Musicals"),
          (100, "Opera"), (100, "Plays"), (100, "Pop")],
         note="a target row matched by several FROM rows (Pop: two events) is updated once"),
    case(UPD, (*FRESH, "UPDATE category SET catid = 100 FROM event WHERE event.catid = category.catid "
               "AND catgroup = 'Concerts'", "SELECT catid, catgroup, catname FROM category WHERE catid = 100"),
         [(100, "Concerts", "Pop")], note="an unqualified column (catgroup) resolves to the target"),
    case(UPD, (*FRESH, "UPDATE category SET catid = 100 FROM event JOIN category cat ON event.catid = cat.catid "
               "WHERE cat.catgroup = 'Concerts'", "SELECT catid, catgroup, catname FROM category WHERE catid = 100"),
         [(100, "Concerts", "Pop")],
         note="doubt: the page calls this an alternative to the previous statement, but no predicate joins the target "
              "to cat; the page's claimed result (only Pop) is expected"),
    case(UPD, (*FRESH, "UPDATE category SET catid = 100 FROM event LEFT JOIN category cat ON event.catid = cat.catid "
               "WHERE cat.catgroup = 'Concerts'",), Raises("equijoin"),
         note="an outer join in UPDATE ... FROM is refused: 'Target table must be part of an equijoin predicate'"),
    case(UPD, (*FRESH, "UPDATE category SET catid = 100 FROM (SELECT event.catid FROM event LEFT JOIN category cat "
               "ON event.catid = cat.catid) eventcat WHERE category.catid = eventcat.catid AND catgroup = 'Concerts'",
               "SELECT catid, catgroup, catname FROM category WHERE catid = 100"),
         [(100, "Concerts", "Pop")], note="the outer join moved into a subquery is accepted"),
]

# c_Examples_of_INSERT_30: a CATEGORY_STAGE table with defaults, filled from CATEGORY.
INS = "c_Examples_of_INSERT_30"
STAGE = ("DROP TABLE IF EXISTS category_stage", "CREATE TABLE category_stage (catid SMALLINT DEFAULT 0, "
         "catgroup VARCHAR(10) DEFAULT 'General', catname VARCHAR(10) DEFAULT 'General', "
         "catdesc VARCHAR(50) DEFAULT 'General')")

CASES += [
    case(INS, (*FRESH, *STAGE, "INSERT INTO category_stage (SELECT * FROM category)", "SELECT COUNT(*) FROM category_stage"),
         11, note="a parenthesized query after the table name"),
    case(INS, (*STAGE, "INSERT INTO category_stage VALUES (12, 'Concerts', 'Comedy', 'All stand-up comedy performances')",
               "INSERT INTO category_stage VALUES (13, 'Concerts', 'Other', DEFAULT)",
               "SELECT * FROM category_stage WHERE catid IN (12, 13) ORDER BY 1"),
         [(12, "Concerts", "Comedy", "All stand-up comedy performances"), (13, "Concerts", "Other", "General")]),
    case(INS, (*STAGE, "INSERT INTO category_stage VALUES (14, DEFAULT, DEFAULT, DEFAULT), (15, DEFAULT, DEFAULT, DEFAULT)",
               "SELECT * FROM category_stage WHERE catid IN (14, 15) ORDER BY 1"),
         [(14, "General", "General", "General"), (15, "General", "General", "General")]),
    case(INS, (*STAGE, "INSERT INTO category_stage VALUES (DEFAULT, DEFAULT, DEFAULT, DEFAULT), "
               "(20, DEFAULT, 'Country', DEFAULT), (21, 'Concerts', 'Rock', DEFAULT)",
               "SELECT * FROM category_stage WHERE catid IN (0, 20, 21) ORDER BY 1"),
         [(0, "General", "General", "General"), (20, "General", "Country", "General"), (21, "Concerts", "Rock", "General")]),
    case(INS, (*STAGE, "INSERT INTO category_stage DEFAULT VALUES", "SELECT * FROM category_stage"),
         [(0, "General", "General", "General")], note="the page: the same as a row of DEFAULTs"),
    case(INS, (*FRESH, "DROP TABLE IF EXISTS category_ident", "CREATE TABLE category_ident (catid INT IDENTITY NOT NULL, "
               "catgroup VARCHAR(10) DEFAULT 'General', catname VARCHAR(10) DEFAULT 'General', "
               "catdesc VARCHAR(50) DEFAULT 'General')",
               "INSERT INTO category_ident (catgroup, catname, catdesc) SELECT catgroup, catname, catdesc FROM category",
               "SELECT COUNT(DISTINCT catid), COUNT(*) FROM category_ident WHERE catid IS NOT NULL"), [(11, 11)],
         note="IDENTITY values are generated (unique, not necessarily consecutive)"),
    case(INS, (*FRESH, "INSERT INTO category (catid) VALUES ((SELECT MAX(catid) + 1 FROM category)), "
               "((SELECT MAX(catid) + 2 FROM category))"), Raises("subqueries in multi-row VALUES"),
         note="Redshift refuses subqueries in a multi-row VALUES"),
]

# r_DELETE: the results follow from the statements and the CATEGORY rows (rule rows, no printed output)
CASES += [
    case("r_DELETE", (*FRESH, "DELETE FROM category", "SELECT COUNT(*) FROM category"), 0),
    case("r_DELETE", (*FRESH, "DELETE FROM category WHERE catid BETWEEN 0 AND 9", "SELECT catid FROM category ORDER BY 1"),
         [(10,), (11,)]),
    case("r_DELETE", (*FRESH, "DELETE FROM category USING event WHERE event.catid = category.catid AND category.catid = 9",
                      "SELECT COUNT(*), SUM(catid) FROM category"), [(10, 57)], note="DELETE ... USING: one row deleted"),
    case("r_DELETE", (*FRESH, "DELETE FROM category WHERE catid IN (SELECT category.catid FROM category, event "
                      "WHERE category.catid = event.catid AND category.catid = 9)", "SELECT COUNT(*), SUM(catid) FROM category"),
         [(10, 57)]),
]
