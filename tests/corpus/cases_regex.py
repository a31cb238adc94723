"""Regular-expression functions and pattern-matching conditions: documented inputs and results.

Backslashes: Redshift string literals treat ``\\`` as one backslash, so the pages write ``'\\\\.'``
for a regex ``\\.``; the statements below keep the pages' spelling."""
from . import case

EMAILS = ["Etiam.laoreet.libero@sodalesMaurisblandit.edu", "Suspendisse.tristique@nonnisiAenean.edu",
          "amet.faucibus.ut@condimentumegetvolutpat.ca", "sed@lacusUtnec.ca"]
PW = "'passwd7 plain A1234 a1234'"
PW_RE = "'(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+'"

SETUP = [
    "CREATE TABLE users (userid INTEGER, email VARCHAR(100), city VARCHAR(30), lastname VARCHAR(30))",
    "INSERT INTO users VALUES " + ", ".join(f"({i + 1}, '{e}', NULL, NULL)" for i, e in enumerate(EMAILS)),
    "INSERT INTO users VALUES (11, NULL, 'Agoura Hills', 'Christensen'), (12, NULL, 'Auburn Hills', 'Wooten'),"
    " (13, NULL, 'Benton Harbor', 'Smith'), (14, NULL, 'Beverly Hills', 'Tenant'), (15, NULL, 'Chicago Heights', NULL),"
    " (16, NULL, 'Brea', NULL), (17, NULL, 'Clearwater', NULL), (18, NULL, 'Great Falls', NULL),"
    " (19, NULL, 'Ocean City', NULL), (20, NULL, 'Olean', NULL), (21, NULL, 'Wheaton', NULL), (22, NULL, 'Aberdeen', NULL),"
    " (23, NULL, 'East Hartford', NULL), (24, NULL, 'Easton', NULL), (25, NULL, 'Dover', NULL)",
    "CREATE TABLE venue (venueid SMALLINT, venuename VARCHAR(100))",
    "INSERT INTO venue VALUES (8, 'The Home Depot Center'), (10, 'Pizza Hut Park'), (11, 'Izod Center'),"
    " (12, 'Wachovia Center'), (13, 'Air Canada Centre'), (14, 'St. Pete Times Forum'), (15, 'Jobing.com Arena'),"
    " (16, 'Madison Square Garden')",
]

CASES = [
    case("REGEXP_COUNT", "SELECT REGEXP_COUNT('abcdefghijklmnopqrstuvwxyz', '[a-z]{3}')", 8),
    case("REGEXP_COUNT", "SELECT email, REGEXP_COUNT(email, '@[^.]*\\\\.(org|edu)') FROM users WHERE userid < 10 "
         "ORDER BY userid LIMIT 4", [(EMAILS[0], 1), (EMAILS[1], 1), (EMAILS[2], 0), (EMAILS[3], 0)]),
    case("REGEXP_COUNT", "SELECT REGEXP_COUNT('the fox', 'FOX', 1, 'i')", 1),
    case("REGEXP_COUNT", f"SELECT REGEXP_COUNT({PW}, {PW_RE}, 1, 'p')", 2, note="PCRE lookahead"),
    case("REGEXP_COUNT", f"SELECT REGEXP_COUNT({PW}, {PW_RE}, 1, 'ip')", 3),
    case("REGEXP_INSTR", "SELECT email, REGEXP_INSTR(email, '@[^.]*') FROM users WHERE userid < 10 ORDER BY userid LIMIT 4",
         [(EMAILS[0], 21), (EMAILS[1], 22), (EMAILS[2], 17), (EMAILS[3], 4)]),
    case("REGEXP_INSTR", "SELECT venuename, REGEXP_INSTR(venuename, '[cC]ent(er|re)$') FROM venue "
         "WHERE REGEXP_INSTR(venuename, '[cC]ent(er|re)$') > 0 ORDER BY venueid LIMIT 4",
         [("The Home Depot Center", 16), ("Izod Center", 6), ("Wachovia Center", 10), ("Air Canada Centre", 12)]),
    case("REGEXP_INSTR", "SELECT REGEXP_INSTR('the fox', 'FOX', 1, 1, 0, 'i')", 5),
    case("REGEXP_INSTR", f"SELECT REGEXP_INSTR({PW}, {PW_RE}, 1, 2, 0, 'p')", 21),
    case("REGEXP_INSTR", f"SELECT REGEXP_INSTR({PW}, {PW_RE}, 1, 2, 0, 'ip')", 15),
    case("REGEXP_REPLACE", "SELECT REGEXP_REPLACE(email, '@.*\\\\.(org|gov|com|edu|ca)$') FROM users WHERE userid < 10 "
         "ORDER BY userid LIMIT 4", [("Etiam.laoreet.libero",), ("Suspendisse.tristique",), ("amet.faucibus.ut",), ("sed",)],
         note="no replacement string: the match is deleted"),
    case("REGEXP_REPLACE", "SELECT REGEXP_REPLACE(email, '@.*\\\\.[[:alpha:]]{2,3}', '@internal.company.com') FROM users "
         "WHERE userid < 10 ORDER BY userid LIMIT 4",
         [(e.split("@")[0] + "@internal.company.com",) for e in EMAILS]),
    case("REGEXP_REPLACE", "SELECT REGEXP_REPLACE('the fox', 'FOX', 'quick brown fox', 1, 'i')", "the quick brown fox"),
    case("REGEXP_REPLACE", f"SELECT REGEXP_REPLACE({PW}, {PW_RE}, '[hidden]', 1, 'p')", "[hidden] plain A1234 [hidden]",
         note="every occurrence is replaced"),
    case("REGEXP_REPLACE", f"SELECT REGEXP_REPLACE({PW}, {PW_RE}, '[hidden]', 1, 'ip')", "[hidden] plain [hidden] [hidden]"),
    case("REGEXP_SUBSTR", "SELECT email, REGEXP_SUBSTR(email, '@[^.]*') FROM users WHERE userid < 10 ORDER BY userid LIMIT 4",
         [(EMAILS[0], "@sodalesMaurisblandit"), (EMAILS[1], "@nonnisiAenean"), (EMAILS[2], "@condimentumegetvolutpat"),
          (EMAILS[3], "@lacusUtnec")]),
    case("REGEXP_SUBSTR", "SELECT REGEXP_SUBSTR('the fox', 'FOX', 1, 1, 'i')", "fox"),
    case("REGEXP_SUBSTR", "SELECT REGEXP_SUBSTR('THE SECRET CODE IS THE LOWERCASE PART OF 1931abc0EZ.', '[a-z]+', 1, 1, 'c')",
         "abc"),
    case("REGEXP_SUBSTR", f"SELECT REGEXP_SUBSTR({PW}, {PW_RE}, 1, 2, 'p')", "a1234"),
    case("REGEXP_SUBSTR", f"SELECT REGEXP_SUBSTR({PW}, {PW_RE}, 1, 2, 'ip')", "A1234"),
    case("REGEXP_SUBSTR", "SELECT REGEXP_SUBSTR('This is a cat, this is a dog. This is a mouse.', 'this is a (\\\\w+)', "
         "1, 2, 'ie')", "dog", note="'e' returns the first subexpression"),
    case("r_patternmatching_condition_like", "SELECT DISTINCT city FROM users WHERE city LIKE 'E%' ORDER BY city",
         [("East Hartford",), ("Easton",)]),
    case("r_patternmatching_condition_like", "SELECT DISTINCT lastname FROM users WHERE lastname LIKE '%ten%' "
         "ORDER BY lastname", [("Christensen",), ("Wooten",)], note="LIKE is case-sensitive: 'Tenant' is not matched"),
    case("r_patternmatching_condition_like", "SELECT DISTINCT city FROM users WHERE city ILIKE '__EA%' ORDER BY city",
         [("Brea",), ("Clearwater",), ("Great Falls",), ("Ocean City",), ("Olean",), ("Wheaton",)]),
    case("r_patternmatching_condition_like", "SELECT 'start_time' LIKE '%start\\\\_%', 'startxtime' LIKE '%start\\\\_%'",
         [(True, False)], note="'\\\\' is the default escape: \\_ is a literal underscore"),
    case("r_patternmatching_condition_like", "SELECT 'xact_start_ts' LIKE '%start^_%' ESCAPE '^'", True),
    case("pattern-matching-conditions-posix", "SELECT DISTINCT city FROM users WHERE city ~ '.*E.*|.*H.*' "
         "ORDER BY city LIMIT 5", [("Agoura Hills",), ("Auburn Hills",), ("Benton Harbor",), ("Beverly Hills",),
                                   ("Chicago Heights",)]),
    case("pattern-matching-conditions-posix", "SELECT venuename FROM venue WHERE venuename ~ '.*\\\\..*' ORDER BY venueid",
         [("St. Pete Times Forum",), ("Jobing.com Arena",)]),
    case("pattern-matching-conditions-similar-to", "SELECT DISTINCT city FROM users WHERE city SIMILAR TO '%E%|%H%' "
         "ORDER BY city LIMIT 5", [("Agoura Hills",), ("Auburn Hills",), ("Benton Harbor",), ("Beverly Hills",),
                                   ("Chicago Heights",)]),
    case("pattern-matching-conditions-similar-to", "SELECT 'idle_start_time' SIMILAR TO '%start\\\\_%', "
         "'restarted' SIMILAR TO '%start\\\\_%'", [(True, False)]),
    case("pattern-matching-conditions-similar-to", "SELECT 'txn_start_time' SIMILAR TO '%start^_%' ESCAPE '^'", True),
]

SKIPPED = [
    ("r_patternmatching_condition_like", "two pg_table_def searches (system catalog of a Redshift cluster)"),
    ("pattern-matching-conditions-similar-to", "two pg_table_def searches (system catalog of a Redshift cluster)"),
]
