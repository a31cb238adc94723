"""Aggregate functions (c_Aggregate_Functions, c_bitwise_aggregate_functions). Most of the pages
aggregate the full TICKIT data, which is not reconstructible; the rows here use the WINSALES
table the guide gives in full, or the few input rows a page shows (then the note says so)."""
from decimal import Decimal as D

from . import case
from .cases_window import SETUP as WINSALES

SETUP = [*WINSALES[:2],
         "CREATE TABLE sales (salesid INTEGER, qtysold SMALLINT, pricepaid DECIMAL(8,2))",
         "INSERT INTO sales VALUES (1, 4, 10000.00), (2, 1, 20.00), (3, 2, 76.00), (4, 3, 12624.00)",
         "CREATE TABLE userlikes (city VARCHAR(30), likes INTEGER)",
         "INSERT INTO userlikes VALUES ('San Jose', 64), ('San Jose', 192), ('Santa Barbara', 192), ('Santa Barbara', 192),"
         " ('Sacramento', 64), ('Sacramento', 128)",
         "CREATE TABLE likers (state CHAR(2), likesports BOOLEAN)",
         "INSERT INTO likers VALUES ('AB', TRUE), ('AB', FALSE), ('AK', FALSE), ('AK', TRUE)"]

CASES = [
    case("r_AVG", "SELECT AVG(qtysold) FROM sales", 2, note="AVG of a SMALLINT is an integer: 10/4 gives 2"),
    case("r_AVG", "SELECT AVG(qty) FROM winsales", 19, note="rule: AVG of INT truncates (215/11 = 19.5)"),
    case("r_COUNT", "SELECT COUNT(qty_shipped), COUNT(*), COUNT(ALL qty_shipped) FROM winsales", [(5, 11, 5)]),
    case("r_COUNT", "SELECT COUNT(DISTINCT sellerid) AS sellers FROM winsales", 4),
    case("r_COUNT", "SELECT APPROXIMATE COUNT(DISTINCT sellerid) FROM winsales", 4,
         note="approximate; exact at this size"),
    case("r_MAX", "SELECT MAX(pricepaid) FROM sales", D("12624.00")),
    case("r_MAX", "SELECT MAX(pricepaid / qtysold) AS max_ticket_price FROM sales", D("4208.00000000"),
         note="DECIMAL(8,2) / SMALLINT has scale 8 (the page shows 2500.00000000 for TICKIT)"),
    case("r_MIN", "SELECT MIN(pricepaid) FROM sales", D("20.00")),
    case("r_MIN", "SELECT MIN(pricepaid / qtysold) AS min_ticket_price FROM sales", D("20.00000000")),
    case("r_MEDIAN", "SELECT sellerid, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY qty), MEDIAN(qty) FROM winsales "
         "GROUP BY sellerid ORDER BY sellerid",
         [(1, 10.0, 10.0), (2, 20.0, 20.0), (3, 17.5, 17.5), (4, 25.0, 25.0)],
         note="MEDIAN equals PERCENTILE_CONT(0.5); the values are those of r_WF_MEDIAN"),
    case("r_PERCENTILE_CONT", "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY qty) FROM winsales", 20.0),
    case("r_APPROXIMATE_PERCENTILE_DISC", "SELECT APPROXIMATE PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY qty) FROM winsales",
         20),
    case("r_LISTAGG", "SELECT LISTAGG(sellerid, ', ') WITHIN GROUP (ORDER BY sellerid) FROM winsales",
         "1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4"),
    case("r_LISTAGG", "SELECT LISTAGG(DISTINCT sellerid, ', ') WITHIN GROUP (ORDER BY sellerid) FROM winsales", "1, 2, 3, 4"),
    case("r_SUM", "SELECT SUM(qty) FROM winsales", 215),
    case("r_STDDEV_functions", "SELECT CAST(STDDEV_SAMP(qty) AS DEC(14,2)), CAST(SQRT(VAR_SAMP(qty)) AS DEC(14,2)) FROM winsales",
         [(D("10.11"), D("10.11"))], note="rule: STDDEV_SAMP is the square root of VAR_SAMP"),
    case("r_BIT_AND", "SELECT city, BIT_AND(likes) FROM userlikes GROUP BY city ORDER BY city",
         [("Sacramento", 0), ("San Jose", 64), ("Santa Barbara", 192)]),
    case("r_BIT_OR", "SELECT city, BIT_OR(likes) FROM userlikes GROUP BY city ORDER BY city",
         [("Sacramento", 192), ("San Jose", 192), ("Santa Barbara", 192)], note="rule from the BIT_AND page's bit meanings"),
    case("r_BOOL_AND", "SELECT state, BOOL_AND(likesports) FROM likers GROUP BY state ORDER BY state",
         [("AB", False), ("AK", False)]),
    case("r_BOOL_OR", "SELECT state, BOOL_OR(likesports) FROM likers GROUP BY state ORDER BY state",
         [("AB", True), ("AK", True)]),
]

SKIPPED = [
    ("r_ANY_VALUE", "dateid of the 'Eagles' events (EVENT)"),
    ("r_ANY_VALUE", "dateids of 'Eagles' and 'Cold War Kids' (EVENT)"),
    ("r_APPROXIMATE_PERCENTILE_DISC", "top 10 LISTING dates by total price"),
    ("r_AVG", "AVG(numtickets*priceperticket) over LISTING (3034.41)"),
    ("r_AVG", "AVG(pricepaid) per month (SALES/DATE)"),
    ("r_COUNT", "USERS from Florida (510)"), ("r_COUNT", "COUNT(eventname) (8798)"),
    ("r_COUNT", "COUNT(ALL eventname) (8798)"), ("r_COUNT", "COUNT(DISTINCT venueid) (204)"),
    ("r_COUNT", "listings of more than four tickets per seller"),
    ("r_COUNT", "COUNT vs APPROXIMATE COUNT of DISTINCT pricepaid (4528 / 4553)"),
    ("r_LISTAGG", "seller ids of event 4337 (SALES)"), ("r_LISTAGG", "DISTINCT seller ids of event 4337"),
    ("r_LISTAGG", "seller ids of WINSALES by dateid: two rows share 2004-02-12, the page's order is one of two"),
    ("r_MEDIAN", "top 10 sellers (SALES)"), ("r_PERCENTILE_CONT", "top 10 sellers (SALES)"),
    ("r_STDDEV_functions", "VENUESEATS and COMMISSION statistics (4 statements)"),
    ("r_SUM", "SUM(commission), Florida seats, seats sold in May (3 statements)"),
    ("r_VARIANCE_functions", "VAR_SAMP/VAR_POP of LISTING.numtickets (2 statements)"),
    ("r_MAX", "MAX(pricepaid) of SALES (12624.00; reconstructed with our own rows instead)"),
]
