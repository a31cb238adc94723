"""Tiny stand-ins for the TICKIT sample tables, holding only rows that the documented examples
show (so each documented result follows from them). Column types follow the TICKIT DDL of the
guide's "Sample database" page (r_tickit_sample_database / c_sampledb)."""
from __future__ import annotations

CATEGORY = [
    "CREATE TABLE category (catid SMALLINT, catgroup VARCHAR(10), catname VARCHAR(10), catdesc VARCHAR(50))",
    "INSERT INTO category VALUES "
    "(1, 'Sports', 'MLB', 'Major League Baseball'), (2, 'Sports', 'NHL', 'National Hockey League'),"
    "(3, 'Sports', 'NFL', 'National Football League'), (4, 'Sports', 'NBA', 'National Basketball Association'),"
    "(5, 'Sports', 'MLS', 'Major League Soccer'), (6, 'Shows', 'Musicals', 'Musical theatre'),"
    "(7, 'Shows', 'Plays', 'All non-musical theatre'), (8, 'Shows', 'Opera', 'All opera and light opera'),"
    "(9, 'Concerts', 'Pop', 'All rock and pop music concerts'), (10, 'Concerts', 'Jazz', 'All jazz singers and bands'),"
    "(11, 'Concerts', 'Classical', 'All symphony, concerto, and choir concerts')",
]

# the first ten LISTING rows' LISTTIME values (r_LTRIM, r_SUBSTRING examples)
LISTING = [
    "CREATE TABLE listing (listid INTEGER, listtime TIMESTAMP)",
    "INSERT INTO listing VALUES (1, '2008-01-24 06:43:29'), (2, '2008-03-05 12:25:29'), (3, '2008-11-01 07:35:33'),"
    "(4, '2008-05-24 01:18:37'), (5, '2008-05-17 02:29:11'), (6, '2008-08-15 02:08:13'), (7, '2008-11-15 09:38:15'),"
    "(8, '2008-11-09 05:07:30'), (9, '2008-09-09 08:03:36'), (10, '2008-06-17 09:44:54')",
]

# VENUE rows the string examples show (r_RTRIM, r_LTRIM, r_CONCAT)
VENUE = [
    "CREATE TABLE venue (venueid SMALLINT, venuename VARCHAR(100), venuecity VARCHAR(30), venuestate CHAR(2),"
    " venueseats INTEGER)",
    "INSERT INTO venue VALUES (1, 'Toyota Park', 'Bridgeview', 'IL', 0), (2, 'Columbus Crew Stadium', 'Columbus', 'OH', 0),"
    "(3, 'RFK Stadium', 'Washington', 'DC', 0), (4, 'CommunityAmerica Ballpark', 'Kansas City', 'KS', 0),"
    "(5, 'Gillette Stadium', 'Foxborough', 'MA', 68756), (6, 'New York Giants Stadium', 'East Rutherford', 'NJ', 80242),"
    "(7, 'BMO Field', 'Toronto', 'ON', 0), (8, 'The Home Depot Center', 'Carson', 'CA', 0),"
    "(9, 'Dick''s Sporting Goods Park', 'Commerce City', 'CO', 0), (10, 'Pizza Hut Park', 'Frisco', 'TX', 0),"
    "(121, 'ATT Park', 'San Francisco', 'CA', 0), (109, 'Citizens Bank Park', 'Philadelphia', 'PA', 0),"
    "(102, 'Comerica Park', 'Detroit', 'MI', 0), (97, 'Fenway Park', 'Boston', 'MA', 0),"
    "(112, 'Great American Ball Park', 'Cincinnati', 'OH', 0), (114, 'Miller Park', 'Milwaukee', 'WI', 0),"
    "(20, 'Invesco Field', 'Denver', 'CO', 76125), (21, 'Arrowhead Stadium', 'Kansas City', 'MO', 79451),"
    "(23, 'FedExField', 'Landover', 'MD', 91704),"
    "(30, 'Ballys Hotel', 'Las Vegas', 'NV', NULL), (31, 'Bank of America Stadium', 'Charlotte', 'NC', 73298),"
    "(32, 'Bellagio Hotel', 'Las Vegas', 'NV', NULL), (33, 'Caesars Palace', 'Las Vegas', 'NV', NULL),"
    "(34, 'Harrahs Hotel', 'Las Vegas', 'NV', NULL)",
]

# EVENT rows of the LPAD/RPAD and LEFT/RIGHT examples
EVENT = [
    "CREATE TABLE event (eventid INTEGER, eventname VARCHAR(200))",
    "INSERT INTO event VALUES (1, 'Gotterdammerung'), (2, 'Boris Godunov'), (3, 'Salome'), (4, 'La Cenerentola (Cinderella)'),"
    "(5, 'Il Trovatore'), (1000, 'Gypsy'), (1001, 'Chicago'), (1002, 'The King and I'), (1003, 'Pal Joey'),"
    "(1004, 'Grease'), (1005, 'Chicago')",
]
