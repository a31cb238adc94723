"""COPY (r_COPY_command_examples): the data files the page shows are uploaded to a local S3
bucket (moto) as ``FILES``, each example's COPY runs through dwhkit.connect(), and the loaded rows
are compared with the page's. Rows whose page shows no table are checked against what the page's
prose states (loads / fails)."""
import json

from . import Raises, case

PAGE = "r_COPY_command_examples"
BUCKET = "corpus-docs"
ROLE = "IAM_ROLE 'arn:aws:iam::0123456789012:role/MyRedshiftRole'"

CATEGORY_OBJECTS = [
    {"catdesc": "Major League Baseball", "catid": 1, "catgroup": "Sports", "catname": "MLB"},
    {"catgroup": "Sports", "catid": 2, "catname": "NHL", "catdesc": "National Hockey League"},
    {"catid": 3, "catname": "NFL", "catgroup": "Sports", "catdesc": "National Football League"},
    {"bogus": "Bogus Sports LLC", "catid": 4, "catgroup": "Sports", "catname": "NBA",
     "catdesc": "National Basketball Association"},
    {"catid": 5, "catgroup": "Shows", "catname": "Musicals", "catdesc": "All symphony, concerto, and choir concerts"},
]


def _objects(objs, case_of=str):
    # the page pretty-prints one object after another, two of them with no newline between ("}{")
    texts = [json.dumps({case_of(k): v for k, v in o.items()}, indent=4) for o in objs]
    return "\n".join(texts[:1]) + "\n" + texts[1] + texts[2] + "\n" + "\n".join(texts[3:]) + "\n"


def _camel(key):
    return {"catdesc": "CatDesc", "catid": "CatID", "catgroup": "CatGroup", "catname": "CatName"}.get(key, key)


FILES = {
    "venue_fw.txt": "1  Toyota Park              Bridgeview  IL0\n2  Columbus Crew Stadium    Columbus    OH0\n"
                    "3  RFK Stadium              Washington  DC0\n4  CommunityAmerica BallparkKansas City KS0\n"
                    "5  Gillette Stadium         Foxborough  MA68756\n",
    "category_raw.txt": '12,Shows,Musicals,Musical theatre\n13,Shows,Plays,All "non-musical" theatre\n'
                        '14,Shows,Opera,All opera, light, and "rock" opera\n'
                        "15,Concerts,Classical,All symphony, concerto, and choir concerts\n",
    "category_csv.txt": '12,Shows,Musicals,Musical theatre\n13,Shows,Plays,"All ""non-musical"" theatre"\n'
                        '14,Shows,Opera,"All opera, light, and ""rock"" opera"\n'
                        '15,Concerts,Classical,"All symphony, concerto, and choir concerts"\n',
    "category_pct.txt": '12,Shows,Musicals,Musical theatre\n13,Shows,Plays,%All "non-musical" theatre%\n'
                        '14,Shows,Opera,%All opera, light, and "rock" opera%\n'
                        "15,Concerts,Classical,%All symphony, concerto, and choir concerts%\n",
    "time.txt": "2009-01-12 14:15:57.119568\n",
    "venue_noseats.txt": "1|Toyota Park|Bridgeview|IL|\n2|Columbus Crew Stadium|Columbus|OH|\n3|RFK Stadium|Washington|DC|\n",
    "venue_pipe.txt": "1||Bridgeview|IL|\n2||Columbus|OH|\n3||Washington|DC|\n",
    "venue_ids.txt": "1|Toyota Park|Bridgeview|IL\n2|Columbus Crew Stadium|Columbus|OH\n",
    "redshiftinfo.txt": "1|public\\|event\\|dwuser\n2|public\\|sales\\|dwuser\n",
    "category_object_auto.json": _objects(CATEGORY_OBJECTS),
    "category_object_auto_ignorecase.json": _objects(CATEGORY_OBJECTS, _camel),
    "category_object_paths.json": "\n".join(json.dumps(o, indent=4) for o in [
        {"one": 1, "two": "Sports", "three": "MLB", "four": "Major League Baseball"},
        {"three": "NHL", "four": "National Hockey League", "one": 2, "two": "Sports"},
        {"two": "Sports", "three": "NFL", "one": 3, "four": "National Football League"},
        {"one": 4, "two": "Sports", "three": "NBA", "four": "National Basketball Association"},
        {"one": 6, "two": "Shows", "three": "Musicals", "four": "All symphony, concerto, and choir concerts"}]) + "\n",
    "category_jsonpath.json": json.dumps({"jsonpaths": ["$['one']", "$['two']", "$['three']", "$['four']"]}),
    "category_array_data.json": '[1,"Sports","MLB","Major League Baseball"]\n[2,"Sports","NHL","National Hockey League"]\n'
                                '[3,"Sports","NFL","National Football League"]\n'
                                '[4,"Sports","NBA","National Basketball Association"]\n'
                                '[5,"Concerts","Classical","All symphony, concerto, and choir concerts"]\n',
    "category_array_jsonpath.json": json.dumps({"jsonpaths": ["$[0]", "$[1]", "$[2]", "$[3]"]}),
}

CATEGORY_DDL = ("DROP TABLE IF EXISTS category", "CREATE TABLE category (catid SMALLINT, catgroup VARCHAR(10), "
                "catname VARCHAR(10), catdesc VARCHAR(50))")
VENUE_NEW = ("DROP TABLE IF EXISTS venue_new", "CREATE TABLE venue_new (venueid SMALLINT NOT NULL, "
             "venuename VARCHAR(100) NOT NULL, venuecity VARCHAR(30), venuestate CHAR(2), "
             "venueseats INTEGER NOT NULL DEFAULT '1000')")
VENUE_IDENTITY = ("DROP TABLE IF EXISTS venue_identity", "CREATE TABLE venue_identity (venueid INT IDENTITY(1,1), "
                  "venuename VARCHAR(100) NOT NULL, venuecity VARCHAR(30), venuestate CHAR(2), "
                  "venueseats INTEGER NOT NULL DEFAULT '1000')")
CSV_ROWS = [(12, "Shows", "Musicals", "Musical theatre"), (13, "Shows", "Plays", 'All "non-musical" theatre'),
            (14, "Shows", "Opera", 'All opera, light, and "rock" opera'),
            (15, "Concerts", "Classical", "All symphony, concerto, and choir concerts")]
JSON_ROWS = [(o["catid"], o["catgroup"], o["catname"], o["catdesc"]) for o in CATEGORY_OBJECTS]
SELECT_CATEGORY = "SELECT catid, catgroup, catname, catdesc FROM category ORDER BY catid"


def s3(key):
    return f"'s3://{BUCKET}/{key}'"


SETUP = []

CASES = [
    case(PAGE, ("DROP TABLE IF EXISTS venue", "CREATE TABLE venue (venueid SMALLINT, venuename VARCHAR(100), "
                "venuecity VARCHAR(30), venuestate CHAR(2), venueseats INTEGER)",
                f"COPY venue FROM {s3('venue_fw.txt')} {ROLE} "
                "FIXEDWIDTH 'venueid:3,venuename:25,venuecity:12,venuestate:2,venueseats:6'",
                "SELECT venueid, RTRIM(venuename), RTRIM(venuecity), venuestate, venueseats FROM venue ORDER BY 1"),
         [(1, "Toyota Park", "Bridgeview", "IL", 0), (2, "Columbus Crew Stadium", "Columbus", "OH", 0),
          (3, "RFK Stadium", "Washington", "DC", 0), (4, "CommunityAmerica Ballpark", "Kansas City", "KS", 0),
          (5, "Gillette Stadium", "Foxborough", "MA", 68756)],
         note="FIXEDWIDTH; names compared without the padding blanks (the page does not say whether they are kept)"),
    case(PAGE, (*CATEGORY_DDL, f"COPY category FROM {s3('category_raw.txt')} {ROLE} DELIMITER ','"), Raises(""),
         note="the page: a comma-delimited load fails because fields contain commas"),
    case(PAGE, (*CATEGORY_DDL, f"COPY category FROM {s3('category_csv.txt')} {ROLE} CSV", SELECT_CATEGORY), CSV_ROWS,
         note="CSV: quoted fields, doubled quotes"),
    case(PAGE, (*CATEGORY_DDL, f"COPY category FROM {s3('category_pct.txt')} {ROLE} CSV QUOTE AS '%'", SELECT_CATEGORY),
         CSV_ROWS),
    case(PAGE, ("DROP TABLE IF EXISTS timestamp1", "CREATE TABLE timestamp1 (c1 TIMESTAMP)",
                f"COPY timestamp1 FROM {s3('time.txt')} {ROLE} TIMEFORMAT 'YYYY-MM-DD HH:MI:SS'", "SELECT * FROM timestamp1"),
         "2009-01-12 14:15:57.119568", note="SS also takes the fractional seconds"),
    case(PAGE, (*VENUE_NEW, f"COPY venue_new (venueid, venuename, venuecity, venuestate) FROM {s3('venue_noseats.txt')} "
                f"{ROLE} DELIMITER '|'", "SELECT venueid, venuename, venuecity, venuestate, venueseats FROM venue_new ORDER BY 1"),
         [(1, "Toyota Park", "Bridgeview", "IL", 1000), (2, "Columbus Crew Stadium", "Columbus", "OH", 1000),
          (3, "RFK Stadium", "Washington", "DC", 1000)],
         note="the omitted column gets its DEFAULT; the file's trailing '|' ends the last listed column"),
    case(PAGE, (*VENUE_NEW, f"COPY venue_new (venueid, venuecity, venuestate) FROM {s3('venue_pipe.txt')} {ROLE} "
                "DELIMITER '|'"), Raises(""),
         note="fails: VENUENAME is NOT NULL with no default (doubt: the page's statement names table venue)"),
    case(PAGE, (*VENUE_IDENTITY, f"COPY venue_identity (venueid, venuename, venuecity, venuestate) FROM {s3('venue_ids.txt')} "
                f"{ROLE} DELIMITER '|' EXPLICIT_IDS", "SELECT venueid, venuename, venueseats FROM venue_identity ORDER BY 1"),
         [(1, "Toyota Park", 1000), (2, "Columbus Crew Stadium", 1000)],
         note="EXPLICIT_IDS loads the IDENTITY column from the file (doubt: the page's statement names table venue)"),
    case(PAGE, (*VENUE_IDENTITY, f"COPY venue_identity (venuename, venuecity, venuestate) FROM {s3('venue_ids.txt')} "
                f"{ROLE} DELIMITER '|' EXPLICIT_IDS"), Raises(""),
         note="fails: EXPLICIT_IDS without the IDENTITY column in the column list"),
    case(PAGE, (*VENUE_IDENTITY, f"COPY venue_identity (venueid, venuename, venuecity, venuestate) FROM {s3('venue_ids.txt')} "
                f"{ROLE} DELIMITER '|'"), Raises(""),
         note="fails: the IDENTITY column is listed without EXPLICIT_IDS"),
    case(PAGE, ("DROP TABLE IF EXISTS redshiftinfo", "CREATE TABLE redshiftinfo (infoid INT, tableinfo VARCHAR(50))",
                f"COPY redshiftinfo FROM {s3('redshiftinfo.txt')} {ROLE} DELIMITER '|' ESCAPE",
                "SELECT * FROM redshiftinfo ORDER BY 1"), [(1, "public|event|dwuser"), (2, "public|sales|dwuser")]),
    case(PAGE, ("DROP TABLE IF EXISTS redshiftinfo2", "CREATE TABLE redshiftinfo2 (infoid INT, tableinfo VARCHAR(50))",
                f"COPY redshiftinfo2 FROM {s3('redshiftinfo.txt')} {ROLE} DELIMITER '|'"), Raises("extra column"),
         note="without ESCAPE: 'Extra column(s) found'"),
    case(PAGE, (*CATEGORY_DDL, f"COPY category FROM {s3('category_object_auto.json')} {ROLE} JSON 'auto'", SELECT_CATEGORY),
         JSON_ROWS, note="'auto' matches keys to column names in any order; an unknown key is ignored"),
    case(PAGE, (*CATEGORY_DDL, f"COPY category FROM {s3('category_object_auto_ignorecase.json')} {ROLE} "
                "JSON 'auto ignorecase'", SELECT_CATEGORY), JSON_ROWS),
    case(PAGE, (*CATEGORY_DDL, f"COPY category FROM {s3('category_object_paths.json')} {ROLE} "
                f"JSON {s3('category_jsonpath.json')}", SELECT_CATEGORY),
         [(1, "Sports", "MLB", "Major League Baseball"), (2, "Sports", "NHL", "National Hockey League"),
          (3, "Sports", "NFL", "National Football League"), (4, "Sports", "NBA", "National Basketball Association"),
          (6, "Shows", "Musicals", "All symphony, concerto, and choir concerts")]),
    case(PAGE, (*CATEGORY_DDL, f"COPY category FROM {s3('category_array_data.json')} {ROLE} "
                f"JSON {s3('category_array_jsonpath.json')}", SELECT_CATEGORY),
         [(1, "Sports", "MLB", "Major League Baseball"), (2, "Sports", "NHL", "National Hockey League"),
          (3, "Sports", "NFL", "National Football League"), (4, "Sports", "NBA", "National Basketball Association"),
          (5, "Concerts", "Classical", "All symphony, concerto, and choir concerts")]),
]

SKIPPED = [
    (PAGE, "DynamoDB, EMR, SSH, manifest, Parquet, ORC, Avro and shapefile loads (other sources and formats)"),
]
