"""Window functions (c_Window_functions) over the guide's WINSALES sample table, which the guide
gives in full (c_Window_functions, "Sample table for window function examples")."""
from decimal import Decimal as D

from . import case

SETUP = [
    "CREATE TABLE winsales (salesid INT, dateid DATE, sellerid INT, buyerid CHAR(10), qty INT, qty_shipped INT)",
    "INSERT INTO winsales VALUES (30001, '8/2/2003', 3, 'b', 10, 10), (10001, '12/24/2003', 1, 'c', 10, 10),"
    " (10005, '12/24/2003', 1, 'a', 30, NULL), (40001, '1/9/2004', 4, 'a', 40, NULL), (10006, '1/18/2004', 1, 'c', 10, NULL),"
    " (20001, '2/12/2004', 2, 'b', 20, 20), (40005, '2/12/2004', 4, 'a', 10, 10), (20002, '2/16/2004', 2, 'c', 20, 20),"
    " (30003, '4/18/2004', 3, 'b', 15, NULL), (30004, '4/18/2004', 3, 'b', 20, NULL), (30007, '9/7/2004', 3, 'c', 30, NULL)",
    "CREATE TABLE venue (venueid SMALLINT, venuename VARCHAR(100), venuecity VARCHAR(30), venuestate CHAR(2),"
    " venueseats INTEGER)",
    "INSERT INTO venue VALUES (1, 'Qualcomm Stadium', 'San Diego', 'CA', 70561), (2, 'Monster Park', 'San Francisco', 'CA', 69843),"
    " (3, 'McAfee Coliseum', 'Oakland', 'CA', 63026), (4, 'Dodger Stadium', 'Los Angeles', 'CA', 56000),"
    " (5, 'Angel Stadium of Anaheim', 'Anaheim', 'CA', 45050), (6, 'PETCO Park', 'San Diego', 'CA', 42445),"
    " (7, 'AT&T Park', 'San Francisco', 'CA', 41503), (8, 'Shoreline Amphitheatre', 'Mountain View', 'CA', 22000),"
    " (9, 'INVESCO Field', 'Denver', 'CO', 76125), (10, 'Coors Field', 'Denver', 'CO', 50445),"
    " (11, 'Nationals Park', 'Washington', 'DC', 41888), (12, 'Dolphin Stadium', 'Miami Gardens', 'FL', 74916),"
    " (13, 'Jacksonville Municipal Stadium', 'Jacksonville', 'FL', 73800),"
    " (14, 'Raymond James Stadium', 'Tampa', 'FL', 65647), (15, 'Tropicana Field', 'St. Petersburg', 'FL', 36048),"
    " (16, 'Ralph Wilson Stadium', 'Orchard Park', 'NY', 73967), (17, 'Yankee Stadium', 'New York City', 'NY', 52325),"
    " (18, 'Madison Square Garden', 'New York City', 'NY', 20000), (19, 'Shea Stadium', 'New York City', 'NY', 0)",
]

IDS = [10001, 10005, 10006, 20001, 20002, 30001, 30003, 30004, 30007, 40001, 40005]
QTY = {10001: 10, 10005: 30, 10006: 10, 20001: 20, 20002: 20, 30001: 10, 30003: 15, 30004: 20, 30007: 30,
       40001: 40, 40005: 10}
BY_DATE = [30001, 10001, 10005, 40001, 10006, 20001, 40005, 20002, 30003, 30004, 30007]
SELLER = {10001: 1, 10005: 1, 10006: 1, 20001: 2, 20002: 2, 30001: 3, 30003: 3, 30004: 3, 30007: 3, 40001: 4, 40005: 4}
BY_QTY = [10001, 10006, 30001, 40005, 30003, 20001, 20002, 30004, 10005, 30007, 40001]
CA = ["Qualcomm Stadium", "Monster Park", "McAfee Coliseum", "Dodger Stadium", "Angel Stadium of Anaheim", "PETCO Park",
      "AT&T Park", "Shoreline Amphitheatre"]
FIRST_LAST = "OVER (PARTITION BY venuestate ORDER BY venueseats DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"

CASES = [
    case("r_WF_AVG", "SELECT salesid, AVG(qty) OVER (ORDER BY dateid, salesid ROWS UNBOUNDED PRECEDING) AS avg "
         "FROM winsales ORDER BY dateid, salesid",
         list(zip(BY_DATE, [10, 10, 16, 22, 20, 20, 18, 18, 18, 18, 19])),
         note="AVG of an INT column is an INT (the fraction is truncated)"),
    case("r_WF_COUNT", "SELECT salesid, COUNT(*) OVER (ORDER BY salesid ROWS UNBOUNDED PRECEDING) FROM winsales ORDER BY salesid",
         [(s, i + 1) for i, s in enumerate(IDS)]),
    case("r_WF_COUNT", "SELECT salesid, COUNT(qty_shipped) OVER (ORDER BY salesid ROWS UNBOUNDED PRECEDING) FROM winsales "
         "ORDER BY salesid", list(zip(IDS, [1, 1, 1, 2, 3, 4, 4, 4, 4, 4, 5]))),
    case("r_WF_DENSE_RANK", "SELECT salesid, qty, DENSE_RANK() OVER (ORDER BY qty DESC), RANK() OVER (ORDER BY qty DESC) "
         "FROM winsales ORDER BY 2, 1",
         [(s, QTY[s], d, r) for s, d, r in zip(BY_QTY, [5, 5, 5, 5, 4, 3, 3, 3, 2, 2, 1], [8, 8, 8, 8, 7, 4, 4, 4, 2, 2, 1])]),
    case("r_WF_DENSE_RANK", "SELECT salesid, sellerid, qty, DENSE_RANK() OVER (PARTITION BY sellerid ORDER BY qty DESC) "
         "FROM winsales ORDER BY 2, 3, 1",
         [(10001, 1, 10, 2), (10006, 1, 10, 2), (10005, 1, 30, 1), (20001, 2, 20, 1), (20002, 2, 20, 1), (30001, 3, 10, 4),
          (30003, 3, 15, 3), (30004, 3, 20, 2), (30007, 3, 30, 1), (40005, 4, 10, 2), (40001, 4, 40, 1)]),
    case("r_WF_LISTAGG", "SELECT LISTAGG(sellerid) WITHIN GROUP (ORDER BY sellerid) OVER () FROM winsales",
         [("11122333344",)] * 11),
    case("r_WF_LISTAGG", "SELECT LISTAGG(sellerid) WITHIN GROUP (ORDER BY dateid) OVER () AS seller FROM winsales "
         "WHERE buyerid = 'b'", [("3233",)] * 4),
    case("r_WF_LISTAGG", "SELECT LISTAGG(dateid, ',') WITHIN GROUP (ORDER BY sellerid DESC, salesid ASC) OVER () AS dates "
         "FROM winsales WHERE buyerid = 'b'", [("2003-08-02,2004-04-18,2004-04-18,2004-02-12",)] * 4),
    case("r_WF_LISTAGG", "SELECT LISTAGG(DISTINCT dateid, ',') WITHIN GROUP (ORDER BY sellerid DESC, salesid ASC) OVER () "
         "AS dates FROM winsales WHERE buyerid = 'b'", [("2003-08-02,2004-04-18,2004-02-12",)] * 4),
    case("r_WF_LISTAGG", "SELECT buyerid, LISTAGG(salesid, ',') WITHIN GROUP (ORDER BY salesid) OVER (PARTITION BY buyerid) "
         "FROM winsales ORDER BY buyerid",
         [("a         ", "10005,40001,40005")] * 3 + [("b         ", "20001,30001,30003,30004")] * 4
         + [("c         ", "10001,10006,20002,30007")] * 4,
         note="doubt: the page shows b as 20001,30001,30004,30003 and c as 10001,20002,30007,10006, which contradicts its "
              "own ORDER BY salesid; the ordered lists are expected"),
    case("r_LISTAGG", "SELECT LISTAGG(dateid, '|') WITHIN GROUP (ORDER BY sellerid DESC, salesid ASC) FROM winsales "
         "WHERE buyerid = 'b'", "2003-08-02|2004-04-18|2004-04-18|2004-02-12"),
    case("r_LISTAGG", "SELECT buyerid, LISTAGG(salesid, ',') WITHIN GROUP (ORDER BY salesid) AS sales_id FROM winsales "
         "GROUP BY buyerid ORDER BY buyerid",
         [("a         ", "10005,40001,40005"), ("b         ", "20001,30001,30003,30004"),
          ("c         ", "10001,10006,20002,30007")],
         note="buyerid is CHAR(10), returned blank-padded; doubt: as on r_WF_LISTAGG the page's b and c lists are not in salesid order; the ordered lists are expected"),
    case("r_WF_MAX", "SELECT salesid, MAX(qty) OVER (ORDER BY salesid ROWS UNBOUNDED PRECEDING) FROM winsales ORDER BY salesid",
         list(zip(IDS, [10, 30, 30, 30, 30, 30, 30, 30, 30, 40, 40]))),
    case("r_WF_MAX", "SELECT salesid, MAX(qty) OVER (ORDER BY salesid ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) FROM winsales "
         "ORDER BY salesid", list(zip(IDS, [None, 10, 30, 30, 20, 20, 20, 15, 20, 30, 40]))),
    case("r_WF_MEDIAN", "SELECT sellerid, qty, MEDIAN(qty) OVER (PARTITION BY sellerid) FROM winsales ORDER BY sellerid, qty",
         [(1, 10, 10.0), (1, 10, 10.0), (1, 30, 10.0), (2, 20, 20.0), (2, 20, 20.0), (3, 10, 17.5), (3, 15, 17.5),
          (3, 20, 17.5), (3, 30, 17.5), (4, 10, 25.0), (4, 40, 25.0)]),
    case("r_WF_MIN", "SELECT salesid, MIN(qty) OVER (ORDER BY salesid ROWS UNBOUNDED PRECEDING) FROM winsales ORDER BY salesid",
         [(s, 10) for s in IDS]),
    case("r_WF_MIN", "SELECT salesid, MIN(qty) OVER (ORDER BY salesid ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) FROM winsales "
         "ORDER BY salesid", list(zip(IDS, [None, 10, 10, 10, 10, 20, 10, 10, 15, 20, 30]))),
    case("r_WF_NTH", "SELECT venuestate, venueseats, NTH_VALUE(venueseats, 3) IGNORE NULLS OVER (PARTITION BY venuestate "
         "ORDER BY venueseats DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS third_most_seats "
         "FROM (SELECT * FROM venue WHERE venueseats > 0 AND venuestate IN ('CA', 'FL', 'NY')) ORDER BY venuestate, venueseats DESC",
         [("CA", s, 63026) for s in (70561, 69843, 63026, 56000, 45050, 42445, 41503, 22000)]
         + [("FL", s, 65647) for s in (74916, 73800, 65647, 36048)] + [("NY", s, 20000) for s in (73967, 52325, 20000)],
         note="a FROM subquery without an alias"),
    case("r_WF_PERCENTILE_CONT", "SELECT sellerid, qty, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY qty) OVER () AS median "
         "FROM winsales ORDER BY qty, sellerid", [(SELLER[s], QTY[s], 20.0) for s in sorted(IDS, key=lambda s: (QTY[s], SELLER[s]))]),
    case("r_WF_PERCENTILE_CONT", "SELECT sellerid, qty, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY qty) OVER (PARTITION BY "
         "sellerid) AS median FROM winsales ORDER BY sellerid, qty",
         [(1, 10, 10.0), (1, 10, 10.0), (1, 30, 10.0), (2, 20, 20.0), (2, 20, 20.0), (3, 10, 17.5), (3, 15, 17.5),
          (3, 20, 17.5), (3, 30, 17.5), (4, 10, 25.0), (4, 40, 25.0)]),
    case("r_WF_PERCENTILE_DISC", "SELECT sellerid, qty, PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY qty) OVER () AS median "
         "FROM winsales ORDER BY qty, sellerid", [(SELLER[s], QTY[s], 20) for s in sorted(IDS, key=lambda s: (QTY[s], SELLER[s]))]),
    case("r_WF_PERCENTILE_DISC", "SELECT sellerid, qty, PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY qty) OVER (PARTITION BY "
         "sellerid) AS median FROM winsales ORDER BY sellerid, qty",
         [(1, 10, 10), (1, 10, 10), (1, 30, 10), (2, 20, 20), (2, 20, 20), (3, 10, 15), (3, 15, 15), (3, 20, 15),
          (3, 30, 15), (4, 10, 10), (4, 40, 10)]),
    case("r_WF_RANK", "SELECT salesid, qty, RANK() OVER (ORDER BY qty) AS rnk FROM winsales ORDER BY 2, 1",
         [(s, QTY[s], r) for s, r in zip(BY_QTY, [1, 1, 1, 1, 5, 6, 6, 6, 9, 9, 11])]),
    case("r_WF_RANK", "SELECT salesid, qty, RANK() OVER (ORDER BY qty DESC) AS rank FROM winsales ORDER BY 2, 1",
         [(s, QTY[s], r) for s, r in zip(BY_QTY, [8, 8, 8, 8, 7, 4, 4, 4, 2, 2, 1])]),
    case("r_WF_RANK", "SELECT salesid, sellerid, qty, RANK() OVER (PARTITION BY sellerid ORDER BY qty DESC) AS rank "
         "FROM winsales ORDER BY 2, 3, 1",
         [(10001, 1, 10, 2), (10006, 1, 10, 2), (10005, 1, 30, 1), (20001, 2, 20, 1), (20002, 2, 20, 1), (30001, 3, 10, 4),
          (30003, 3, 15, 3), (30004, 3, 20, 2), (30007, 3, 30, 1), (40005, 4, 10, 2), (40001, 4, 40, 1)]),
    case("r_WF_ROW_NUMBER", "SELECT sellerid, qty, ROW_NUMBER() OVER (PARTITION BY sellerid ORDER BY qty ASC) AS row "
         "FROM winsales ORDER BY 1, 3",
         [(1, 10, 1), (1, 10, 2), (1, 30, 3), (2, 20, 1), (2, 20, 2), (3, 10, 1), (3, 15, 2), (3, 20, 3), (3, 30, 4),
          (4, 10, 1), (4, 40, 2)], note="salesid left out: the page's order of equal-qty rows is arbitrary"),
    case("r_WF_SUM", "SELECT salesid, SUM(qty) OVER (ORDER BY dateid, salesid ROWS UNBOUNDED PRECEDING) FROM winsales "
         "ORDER BY dateid, salesid", list(zip(BY_DATE, [10, 20, 50, 90, 100, 120, 130, 150, 165, 185, 215]))),
    case("r_WF_SUM", "SELECT salesid, SUM(qty) OVER (PARTITION BY sellerid ORDER BY dateid, salesid ROWS UNBOUNDED PRECEDING) "
         "FROM winsales ORDER BY dateid, salesid", list(zip(BY_DATE, [10, 10, 40, 40, 50, 20, 50, 40, 25, 45, 75]))),
    case("r_WF_SUM", "SELECT salesid, SUM(1) OVER (ORDER BY sellerid, salesid ROWS UNBOUNDED PRECEDING) AS rownum "
         "FROM winsales ORDER BY sellerid, salesid", [(s, i + 1) for i, s in enumerate(IDS)]),
    case("r_WF_SUM", "SELECT salesid, SUM(1) OVER (PARTITION BY sellerid ORDER BY sellerid, salesid ROWS UNBOUNDED PRECEDING) "
         "FROM winsales ORDER BY sellerid, salesid", list(zip(IDS, [1, 2, 3, 1, 2, 1, 2, 3, 4, 1, 2]))),
    case("r_WF_first_value", f"SELECT venuestate, venueseats, FIRST_VALUE(venuename) {FIRST_LAST} "
         "FROM (SELECT * FROM venue WHERE venueseats > 0) WHERE venuestate IN ('CA', 'CO', 'DC') "
         "ORDER BY venuestate, venueseats DESC",
         [("CA", s, "Qualcomm Stadium") for s in (70561, 69843, 63026, 56000, 45050, 42445, 41503, 22000)]
         + [("CO", 76125, "INVESCO Field"), ("CO", 50445, "INVESCO Field"), ("DC", 41888, "Nationals Park")]),
    case("r_WF_first_value", f"SELECT venuestate, venueseats, LAST_VALUE(venuename) {FIRST_LAST} "
         "FROM (SELECT * FROM venue WHERE venueseats > 0) WHERE venuestate IN ('CA', 'CO', 'DC') "
         "ORDER BY venuestate, venueseats DESC",
         [("CA", s, "Shoreline Amphitheatre") for s in (70561, 69843, 63026, 56000, 45050, 42445, 41503, 22000)]
         + [("CO", 76125, "Coors Field"), ("CO", 50445, "Coors Field"), ("DC", 41888, "Nationals Park")]),
    case("r_WF_first_value", ("DELETE FROM venue WHERE venueid = 2000",
                              "INSERT INTO venue VALUES (2000, NULL, 'Stanford', 'CA', 90000)",
                              f"SELECT venueseats, FIRST_VALUE(venuename) {FIRST_LAST} FROM (SELECT * FROM venue "
                              "WHERE venueseats > 0) WHERE venuestate = 'CA' ORDER BY venueseats DESC LIMIT 3"),
         [(90000, None), (70561, None), (69843, None)], note="a NULL first value is returned as NULL"),
    case("r_WF_first_value", ("DELETE FROM venue WHERE venueid = 2000",
                              "INSERT INTO venue VALUES (2000, NULL, 'Stanford', 'CA', 90000)",
                              "SELECT venueseats, FIRST_VALUE(venuename IGNORE NULLS) "
                              f"{FIRST_LAST} FROM (SELECT * FROM venue WHERE venuestate = 'CA') "
                              "ORDER BY venueseats DESC LIMIT 3"),
         [(90000, "Qualcomm Stadium"), (70561, "Qualcomm Stadium"), (69843, "Qualcomm Stadium")]),
]

# Pages whose inputs are a handful of TICKIT rows shown on the page itself: those rows are the table.
LAG_ROWS = [("2008-01-16 01:06:09", 1), ("2008-01-28 02:10:01", 1), ("2008-03-12 10:39:53", 1), ("2008-03-13 02:56:07", 1),
            ("2008-03-29 08:21:39", 2), ("2008-04-27 02:39:01", 1), ("2008-08-16 07:04:37", 2), ("2008-08-22 11:45:26", 2),
            ("2008-09-12 09:11:25", 1), ("2008-10-01 06:22:37", 1), ("2008-10-20 01:55:51", 2), ("2008-10-28 01:30:40", 1)]
LEAD_ROWS = [(6213, "52.05", "2008-01-01 01:00:19"), (7003, "106.20", "2008-01-01 02:30:52"),
             (8762, "103.20", "2008-01-01 03:50:02"), (1150, "70.80", "2008-01-01 06:06:57"),
             (1749, "50.55", "2008-01-01 07:05:02"), (8649, "125.40", "2008-01-01 07:26:20"),
             (2903, "35.10", "2008-01-01 09:41:06"), (6605, "259.50", "2008-01-01 12:50:55"),
             (6870, "628.80", "2008-01-01 12:59:34"), (6977, "74.10", "2008-01-02 01:11:16")]
HAMLET = [1883, 1065, 589, 530, 472, 460, 355, 334, 296, 230, 216, 212, 106, 100, 94, 53, 25]
STDDEV_ROWS = [(33095, 234), (65082, 472), (88268, 836), (97197, 708), (110328, 347), (110917, 337), (150314, 688),
               (157751, 1730), (165890, 4192)]
# CUME_DIST / PERCENT_RANK / RATIO_TO_REPORT pages print qty values that are not WINSALES' integers
# (doubt recorded): their own printed qty values are the input here.
DEC_QTY = [(1, "10.00000000"), (1, "10.64000000"), (1, "30.37262000"), (3, "10.03500000"), (3, "15.14660000"),
           (3, "20.74630000"), (3, "30.54790000"), (2, "20.08630000"), (2, "20.12312341"), (4, "10.12414400"),
           (4, "40.23000000")]

SETUP += [
    "CREATE TABLE sales (salesid INT, buyerid INT, eventid INT, qtysold SMALLINT, pricepaid DECIMAL(8,2),"
    " commission DECIMAL(8,2), saletime TIMESTAMP, dateid SMALLINT)",
    "INSERT INTO sales (buyerid, saletime, qtysold) VALUES "
    + ", ".join(f"(3, '{t}', {q})" for t, q in LAG_ROWS),
    "INSERT INTO sales (buyerid, eventid, commission, saletime) VALUES "
    + ", ".join(f"(4, {e}, {c}, '{t}')" for e, c, t in LEAD_ROWS),
    "INSERT INTO sales (buyerid, eventid, pricepaid) VALUES " + ", ".join(f"(5, 1, {p})" for p in HAMLET),
    "INSERT INTO sales (buyerid, salesid, dateid, pricepaid) VALUES "
    + ", ".join(f"(6, {s}, 1827, {p})" for s, p in STDDEV_ROWS),
    "CREATE TABLE winsales_dec (sellerid INT, qty DECIMAL(18,8))",
    "INSERT INTO winsales_dec VALUES " + ", ".join(f"({s}, {q})" for s, q in DEC_QTY),
]

CASES += [
    case("r_WF_LAG", "SELECT saletime, qtysold, LAG(qtysold, 1) OVER (ORDER BY buyerid, saletime) AS prev_qtysold "
         "FROM sales WHERE buyerid = 3 ORDER BY buyerid, saletime",
         [(t, q, LAG_ROWS[i - 1][1] if i else None) for i, (t, q) in enumerate(LAG_ROWS)]),
    case("r_WF_LEAD", "SELECT eventid, commission, LEAD(commission, 1) OVER (ORDER BY saletime) AS next_comm "
         "FROM sales WHERE buyerid = 4 ORDER BY saletime LIMIT 9",
         [(e, D(c), D(LEAD_ROWS[i + 1][1])) for i, (e, c, _) in enumerate(LEAD_ROWS[:9])]),
    case("r_WF_NTILE", "SELECT pricepaid, NTILE(4) OVER (ORDER BY pricepaid DESC) FROM sales WHERE buyerid = 5 ORDER BY 2, 1 DESC",
         [(D(f"{p}.00"), 1 + (i >= 5) + (i >= 9) + (i >= 13)) for i, p in enumerate(HAMLET)],
         note="17 rows into 4 groups: 5, 4, 4, 4"),
    case("r_WF_STDDEV", "SELECT salesid, ROUND(STDDEV_POP(pricepaid) OVER (ORDER BY dateid, salesid ROWS UNBOUNDED "
         "PRECEDING)), ROUND(VAR_POP(pricepaid) OVER (ORDER BY dateid, salesid ROWS UNBOUNDED PRECEDING)) "
         "FROM sales WHERE buyerid = 6 ORDER BY dateid, salesid",
         [(s, sd, v) for (s, _), sd, v in zip(STDDEV_ROWS, [0, 119, 248, 230, 223, 215, 211, 447, 1185],
                                               [0, 14161, 61283, 53019, 49845, 46159, 44414, 199679, 1403323])]),
    case("r_WF_CUME_DIST", "SELECT sellerid, CUME_DIST() OVER (PARTITION BY sellerid ORDER BY qty) FROM winsales_dec "
         "ORDER BY sellerid, qty", [(1, 0.33), (1, 0.67), (1, 1.0), (2, 0.5), (2, 1.0), (3, 0.25), (3, 0.5), (3, 0.75),
                                    (3, 1.0), (4, 0.5), (4, 1.0)],
         note="doubt: the page's qty values (10.64, 30.37, …) are not the WINSALES table it cites; its own values are used"),
    case("r_WF_PERCENT_RANK", "SELECT sellerid, PERCENT_RANK() OVER (PARTITION BY sellerid ORDER BY qty) FROM winsales_dec "
         "ORDER BY sellerid, qty", [(1, 0.0), (1, 0.5), (1, 1.0), (2, 0.0), (2, 1.0), (3, 0.0), (3, 0.33), (3, 0.67),
                                    (3, 1.0), (4, 0.0), (4, 1.0)], note="doubt: as on r_WF_CUME_DIST"),
    case("r_WF_RATIO_TO_REPORT", "SELECT sellerid, qty, RATIO_TO_REPORT(qty) OVER (PARTITION BY sellerid) FROM winsales_dec "
         "ORDER BY sellerid, qty",
         [(1, D("10.00000000"), 0.2), (1, D("10.64000000"), 0.21), (1, D("30.37262000"), 0.6), (2, D("20.08630000"), 0.5),
          (2, D("20.12312341"), 0.5), (3, D("10.03500000"), 0.13), (3, D("15.14660000"), 0.2), (3, D("20.74630000"), 0.27),
          (3, D("30.54790000"), 0.4), (4, D("10.12414400"), 0.2), (4, D("40.23000000"), 0.8)],
         note="doubt: as on r_WF_CUME_DIST; the ratios are shown rounded to two decimals"),
]

SKIPPED = [
    ("r_WF_PERCENTILE_CONT", "third example: WA sellers' sales (SALES/USERS)"),
]
