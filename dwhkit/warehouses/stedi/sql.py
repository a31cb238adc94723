"""The STEDI Human Balance Analytics warehouse, in Amazon Redshift's SQL dialect.

Every statement here is exactly what a Redshift cluster would be sent; on Postgres targets
dwhkit translates it (and emulates COPY). Zones: landing (staging_*) → trusted (*_trusted)
→ curated (customer_curated, machine_learning_curated) and a star schema (dim_*, fact_*).

Privacy rule (hard): only customers whose *latest* record carries a research consent in force
appear past landing, and only their own readings (under the from_consent_date scope, only those
taken at or after that consent). checks.py recomputes the rule independently.
"""

from ...config import STEDI_CONSENT_SCOPES
from ..model import Step, Table

# -- landing ---------------------------------------------------------------------------------
# Column names are the JSON keys folded to lower case, so COPY … JSON 'auto ignorecase' maps
# them (v2022's `timeStamp` and v2023's `timestamp` both land in "timestamp").
# birthDay lands as text: v2023 holds '993-01-01', which a DATE column would reject, and with
# it the whole customer record. It becomes a DATE in the trusted zone (see BIRTHDAY).
STAGING_CUSTOMER = """
CREATE TABLE IF NOT EXISTS staging_customer (
    customername              VARCHAR(256),
    email                     VARCHAR(256),
    phone                     VARCHAR(32),
    birthday                  VARCHAR(32),
    serialnumber              VARCHAR(64),
    registrationdate          TIMESTAMP,
    lastupdatedate            TIMESTAMP,
    sharewithresearchasofdate TIMESTAMP,
    sharewithpublicasofdate   TIMESTAMP,
    sharewithfriendsasofdate  TIMESTAMP
) DISTSTYLE ALL
"""

STAGING_ACCELEROMETER = """
CREATE TABLE IF NOT EXISTS staging_accelerometer (
    "user"      VARCHAR(256),
    "timestamp" BIGINT,
    x           DOUBLE PRECISION,
    y           DOUBLE PRECISION,
    z           DOUBLE PRECISION
) DISTKEY ("user") SORTKEY ("timestamp")
"""

# v2022's step-trainer files end every line with "}," — not a JSON stream Redshift accepts
# (each comma is a load error, 240k of them, beyond MAXERROR's 100000 ceiling). So step-trainer
# lines land verbatim, one per row, and are parsed in SQL: the same statements work on Redshift.
STAGING_STEP_TRAINER = """
CREATE TABLE IF NOT EXISTS staging_step_trainer (
    raw_json VARCHAR(4096)
) DISTSTYLE EVEN
"""

# -- trusted ---------------------------------------------------------------------------------
CUSTOMER_TRUSTED = """
CREATE TABLE IF NOT EXISTS customer_trusted (
    email               VARCHAR(256) NOT NULL,
    customer_name       VARCHAR(256),
    phone               VARCHAR(32),
    birthday            DATE,
    serial_number       VARCHAR(64),
    registration_at     TIMESTAMP,
    last_update_at      TIMESTAMP,
    research_consent_at TIMESTAMP NOT NULL,
    public_consent_at   TIMESTAMP,
    friends_consent_at  TIMESTAMP,
    PRIMARY KEY (email)
) DISTSTYLE ALL SORTKEY (email)
"""

DEVICE_REGISTRATION_TRUSTED = """
CREATE TABLE IF NOT EXISTS device_registration_trusted (
    serial_number       VARCHAR(64)  NOT NULL,
    email               VARCHAR(256) NOT NULL,
    PRIMARY KEY (serial_number, email)
) DISTSTYLE ALL SORTKEY (serial_number)
"""

ACCELEROMETER_TRUSTED = """
CREATE TABLE IF NOT EXISTS accelerometer_trusted (
    email      VARCHAR(256)     NOT NULL,
    reading_ms BIGINT           NOT NULL,
    reading_at TIMESTAMP        NOT NULL,
    x          DOUBLE PRECISION,
    y          DOUBLE PRECISION,
    z          DOUBLE PRECISION
) DISTKEY (email) SORTKEY (reading_ms)
"""

STEP_TRAINER_TRUSTED = """
CREATE TABLE IF NOT EXISTS step_trainer_trusted (
    serial_number        VARCHAR(64) NOT NULL,
    reading_ms           BIGINT      NOT NULL,
    reading_at           TIMESTAMP   NOT NULL,
    distance_from_object INTEGER
) DISTKEY (serial_number) SORTKEY (reading_ms)
"""

# -- curated ---------------------------------------------------------------------------------
CUSTOMER_CURATED = """
CREATE TABLE IF NOT EXISTS customer_curated (
    email               VARCHAR(256) NOT NULL,
    customer_name       VARCHAR(256),
    serial_number       VARCHAR(64),
    registration_at     TIMESTAMP,
    research_consent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (email)
) DISTSTYLE ALL SORTKEY (email)
"""

# No direct identifiers (name, email, phone, birthday, serial): pseudonymous keys into the
# dimensions instead, and the consent date in force kept with each row for audit.
MACHINE_LEARNING_CURATED = """
CREATE TABLE IF NOT EXISTS machine_learning_curated (
    customer_key         BIGINT    NOT NULL,
    device_key           BIGINT    NOT NULL,
    reading_ms           BIGINT    NOT NULL,
    reading_at           TIMESTAMP NOT NULL,
    distance_from_object INTEGER,
    x                    DOUBLE PRECISION,
    y                    DOUBLE PRECISION,
    z                    DOUBLE PRECISION,
    research_consent_at  TIMESTAMP NOT NULL
) DISTKEY (customer_key) SORTKEY (reading_at)
"""

# -- star schema -----------------------------------------------------------------------------
DIM_CUSTOMER = """
CREATE TABLE IF NOT EXISTS dim_customer (
    customer_key        BIGINT IDENTITY(1, 1),
    email               VARCHAR(256) NOT NULL,
    customer_name       VARCHAR(256),
    phone               VARCHAR(32),
    birthday            DATE,
    registration_at     TIMESTAMP,
    research_consent_at TIMESTAMP NOT NULL,
    public_consent_at   TIMESTAMP,
    friends_consent_at  TIMESTAMP,
    birth_year          SMALLINT,
    PRIMARY KEY (customer_key)
) DISTSTYLE ALL SORTKEY (email)
"""

DIM_DEVICE = """
CREATE TABLE IF NOT EXISTS dim_device (
    device_key    BIGINT IDENTITY(1, 1),
    serial_number VARCHAR(64) NOT NULL,
    PRIMARY KEY (device_key)
) DISTSTYLE ALL SORTKEY (serial_number)
"""

DIM_TIME = """
CREATE TABLE IF NOT EXISTS dim_time (
    time_key   TIMESTAMP NOT NULL,
    hour       SMALLINT  NOT NULL,
    day        SMALLINT  NOT NULL,
    week       SMALLINT  NOT NULL,
    month      SMALLINT  NOT NULL,
    year       SMALLINT  NOT NULL,
    weekday    SMALLINT  NOT NULL,
    PRIMARY KEY (time_key)
) DISTSTYLE ALL SORTKEY (time_key)
"""

# The calendar at day grain: one row per day that has a reading.
DIM_DATE = """
CREATE TABLE IF NOT EXISTS dim_date (
    date_key   DATE     NOT NULL,
    day        SMALLINT NOT NULL,
    week       SMALLINT NOT NULL,
    month      SMALLINT NOT NULL,
    quarter    SMALLINT NOT NULL,
    year       SMALLINT NOT NULL,
    weekday    SMALLINT NOT NULL,
    PRIMARY KEY (date_key)
) DISTSTYLE ALL SORTKEY (date_key)
"""

FACT_ACCELEROMETER_READING = """
CREATE TABLE IF NOT EXISTS fact_accelerometer_reading (
    customer_key BIGINT    NOT NULL,
    time_key     TIMESTAMP NOT NULL,
    reading_ms   BIGINT    NOT NULL,
    x            DOUBLE PRECISION,
    y            DOUBLE PRECISION,
    z            DOUBLE PRECISION
) DISTKEY (customer_key) SORTKEY (time_key)
"""

FACT_STEP_TRAINER_READING = """
CREATE TABLE IF NOT EXISTS fact_step_trainer_reading (
    device_key           BIGINT    NOT NULL,
    time_key             TIMESTAMP NOT NULL,
    reading_ms           BIGINT    NOT NULL,
    distance_from_object INTEGER
) DISTKEY (device_key) SORTKEY (time_key)
"""

# The tables in creation order.
TABLES = [
    Table("staging_customer", "landing", STAGING_CUSTOMER),
    Table("staging_accelerometer", "landing", STAGING_ACCELEROMETER),
    Table("staging_step_trainer", "landing", STAGING_STEP_TRAINER),
    Table("customer_trusted", "trusted", CUSTOMER_TRUSTED),
    Table("device_registration_trusted", "trusted", DEVICE_REGISTRATION_TRUSTED),
    Table("accelerometer_trusted", "trusted", ACCELEROMETER_TRUSTED),
    Table("step_trainer_trusted", "trusted", STEP_TRAINER_TRUSTED),
    Table("customer_curated", "curated", CUSTOMER_CURATED),
    Table("dim_customer", "star", DIM_CUSTOMER),
    Table("dim_device", "star", DIM_DEVICE),
    Table("dim_time", "star", DIM_TIME),
    Table("dim_date", "star", DIM_DATE),
    Table("fact_accelerometer_reading", "star", FACT_ACCELEROMETER_READING),
    Table("fact_step_trainer_reading", "star", FACT_STEP_TRAINER_READING),
    Table("machine_learning_curated", "curated", MACHINE_LEARNING_CURATED),
]

create_table_queries = [t.ddl.strip() for t in TABLES]
drop_table_queries = [f"DROP TABLE IF EXISTS {t.name} CASCADE" for t in reversed(TABLES)]

# -- COPY (templates: {source} is the key prefix, {auth} the authorisation) -----------------------
# Each FROM is a key prefix `<source>/<source>-`: it matches the landing files and leaves out
# stray objects such as v2022's `accelerometer/test-accelerometer.json` (6 test rows).
COPY_CUSTOMER = """
COPY staging_customer
FROM '{source}'
{auth}
FORMAT AS JSON 'auto ignorecase'
TIMEFORMAT 'epochmillisecs'
COMPUPDATE OFF STATUPDATE OFF
"""

COPY_ACCELEROMETER = """
COPY staging_accelerometer
FROM '{source}'
{auth}
FORMAT AS JSON 'auto ignorecase'
COMPUPDATE OFF STATUPDATE OFF
"""

# One line per row: a delimiter that never occurs in the data (ASCII RS, octal 036).
COPY_STEP_TRAINER = """
COPY staging_step_trainer (raw_json)
FROM '{source}'
{auth}
DELIMITER '\\036'
IGNOREBLANKLINES
COMPUPDATE OFF STATUPDATE OFF
"""


# -- transformations ---------------------------------------------------------------------------
# Reading times are epoch milliseconds; this is their TIMESTAMP (exact to the millisecond).
EPOCH_MS = "TIMESTAMP 'epoch' + {col} * INTERVAL '1 millisecond'"

# The two consent scopes ([STEDI] consent_scope, see dwhkit/config.py):
#   customer          every reading of a consenting customer (what the STEDI documents state)
#   from_consent_date only readings taken at or after the consent date in force (round one's rule)
CONSENT_SCOPES = STEDI_CONSENT_SCOPES
DEFAULT_CONSENT_SCOPE = CONSENT_SCOPES[0]

# -- emails --------------------------------------------------------------------------------------
# A customer is their email, compared everywhere through email_key(): trimmed of Unicode
# whitespace at both ends (TRIM strips only spaces: a TAB or a no-break space after an address
# would make the same person two customers, and a withdrawal miss its consent) and lower-cased.
# The set is Unicode's White_Space property, the ASCII separators Python's str.strip() also
# removes, and the invisible format characters that ride along in pasted text (U+180E, U+200B,
# U+2060, U+FEFF). BTRIM with a character list is Redshift's and Postgres's own (dwhkit writes it
# as TRIM(chars FROM …)); unlike a regular expression it needs no class syntax the two disagree on.
EMAIL_TRIM_CHARS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
                    + "".join(chr(c) for c in range(0x2000, 0x200C))
                    + "\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\u180e")


def email_key(col: str) -> str:
    """The SQL expression of a normalised email (NULL when nothing is left)."""
    return f"NULLIF(LOWER(BTRIM({col}, '{EMAIL_TRIM_CHARS}')), '')"


def normalise_email(email: str | None) -> str | None:
    """email_key() in Python, for tests and tools (LOWER on a UTF-8 database ≈ str.lower)."""
    if email is None:
        return None
    return email.strip(EMAIL_TRIM_CHARS).lower() or None


def consent_in_force(col: str) -> str:
    """A consent counts from its date on; one dated after the run (e.g. 2100) is not yet consent."""
    return f"({col} IS NOT NULL AND {col} <= GETDATE())"


# The step-trainer fields, parsed from the landed line (trailing comma removed). The third
# argument (null_if_invalid) turns a malformed line into NULLs, which the WHERE then drops.
# (Measured on v2022's 240k lines: this is faster on Postgres than guarding a plain parse with a
# regular expression or rebuilding the line from SPLIT_PART pieces — both were tried.)
STEP_FIELDS = """
SELECT JSON_EXTRACT_PATH_TEXT(RTRIM(raw_json, ','), 'serialNumber', TRUE) AS serial_number,
       CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(RTRIM(raw_json, ','), 'sensorReadingTime', TRUE), '') AS BIGINT) AS reading_ms,
       CAST(NULLIF(JSON_EXTRACT_PATH_TEXT(RTRIM(raw_json, ','), 'distanceFromObject', TRUE), '') AS INTEGER) AS distance_from_object
FROM staging_step_trainer
"""

# The accelerometer's users with their email key: normalised once per distinct spelling (a few
# hundred), not once per reading (81k); readings join on the raw text. The key is computed at the
# GROUP BY's level on purpose: one level up, Postgres would pull it above the join, per reading.
USER_KEYS = f"""
SELECT "user" AS raw_user, {email_key('"user"')} AS email_key
FROM staging_accelerometer
GROUP BY "user"
"""

# Every customer record with its email key and the research consent it states *now* (NULL if
# none, or not yet in force).
CUSTOMER_RECORDS = f"""
SELECT s.*, {email_key('s.email')} AS email_key,
       CASE WHEN {consent_in_force('s.sharewithresearchasofdate')} THEN s.sharewithresearchasofdate END AS consent_at
FROM staging_customer s
"""

# A customer's latest record (by lastUpdateDate) states their current choice: consent there or
# nowhere. A record with no date never outranks a dated one (NULLS LAST); records tied on the
# date resolve to the most restrictive: no consent first, then the latest consent date.
RECENCY = """ROW_NUMBER() OVER (PARTITION BY c.email_key
                          ORDER BY c.lastupdatedate DESC NULLS LAST, c.consent_at DESC NULLS FIRST,
                                   c.registrationdate DESC NULLS LAST, c.serialnumber, c.customername)"""

RANKED_CUSTOMER = f"""
SELECT c.*, {RECENCY} AS recency
FROM ({CUSTOMER_RECORDS}) c
"""

LATEST_CUSTOMER = f"""
SELECT *
FROM ({RANKED_CUSTOMER}) ranked
WHERE email_key IS NOT NULL AND recency = 1
"""

# A birthday is a date only when written YYYY-MM-DD; anything else ('993-01-01') is unknown.
BIRTHDAY = "CASE WHEN birthday ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN CAST(birthday AS DATE) END"

INSERT_CUSTOMER_TRUSTED = f"""
INSERT INTO customer_trusted (email, customer_name, phone, birthday, serial_number, registration_at,
                              last_update_at, research_consent_at, public_consent_at, friends_consent_at)
SELECT email_key, customername, phone, {BIRTHDAY}, serialnumber, registrationdate,
       lastupdatedate, consent_at, sharewithpublicasofdate, sharewithfriendsasofdate
FROM ({LATEST_CUSTOMER}) latest
WHERE consent_at IS NOT NULL
"""

INSERT_DEVICE_REGISTRATION_TRUSTED = f"""
INSERT INTO device_registration_trusted (serial_number, email)
SELECT DISTINCT s.serialnumber, c.email
FROM staging_customer s
JOIN customer_trusted c ON c.email = {email_key('s.email')}
WHERE s.serialnumber IS NOT NULL
"""


def _from_consent(scope: str, reading_at: str, consent_at: str) -> str:
    """The extra condition of the from_consent_date scope (none under the default scope)."""
    if scope not in CONSENT_SCOPES:
        raise ValueError(f"unknown consent scope {scope!r}")
    return f"AND {reading_at} >= {consent_at}" if scope == "from_consent_date" else ""


def insert_accelerometer_trusted(scope: str) -> str:
    at = EPOCH_MS.format(col='a."timestamp"')
    return f"""
INSERT INTO accelerometer_trusted (email, reading_ms, reading_at, x, y, z)
SELECT DISTINCT c.email, a."timestamp", {at}, a.x, a.y, a.z
FROM staging_accelerometer a
JOIN ({USER_KEYS}) k ON k.raw_user = a."user"
JOIN customer_trusted c ON c.email = k.email_key
WHERE a."timestamp" IS NOT NULL
  {_from_consent(scope, at, 'c.research_consent_at')}
"""


INSERT_CUSTOMER_CURATED = """
INSERT INTO customer_curated (email, customer_name, serial_number, registration_at, research_consent_at)
SELECT c.email, c.customer_name, c.serial_number, c.registration_at, c.research_consent_at
FROM customer_trusted c
WHERE EXISTS (SELECT 1 FROM accelerometer_trusted a WHERE a.email = c.email)
"""

# -- who a step-trainer reading belongs to ---------------------------------------------------------
# Every (serial, customer) registration in the landing data, any record of the customer. A record
# with no email still registers the device (to someone who can never be the owner we trust).
REGISTRATION = f"""
SELECT DISTINCT serialnumber AS serial_number, {email_key('email')} AS email_key
FROM staging_customer
WHERE serialnumber IS NOT NULL
"""

# One row per step-trainer reading (serial, instant) of a registered device: how many customers
# registered the serial, how many of them have accelerometer readings at that instant, and the
# owner — the sole registrant, or else the one registrant with readings at that instant. No owner
# means "unattributed" (nobody's readings there) or "ambiguous" (two or more candidates).
# {readings} is a relation of (serial_number, reading_ms) rows. Only shared serials look at the
# accelerometer data (none in v2023: its scan is skipped).
SHARED_REGISTRATION = f"""
SELECT r.serial_number, r.email_key
FROM ({REGISTRATION}) r
JOIN (SELECT serial_number FROM ({REGISTRATION}) x GROUP BY serial_number HAVING COUNT(*) > 1) shared
  ON shared.serial_number = r.serial_number
"""

STEP_OWNER = f"""
SELECT s.serial_number, s.reading_ms, g.registrants, COALESCE(w.candidates, 0) AS candidates,
       CASE WHEN g.registrants = 1 THEN g.sole WHEN w.candidates = 1 THEN w.email_key END AS owner
FROM (SELECT DISTINCT serial_number, reading_ms FROM {{readings}} x
      WHERE serial_number IS NOT NULL AND reading_ms IS NOT NULL) s
JOIN (SELECT serial_number, COUNT(*) AS registrants, MIN(email_key) AS sole
      FROM ({REGISTRATION}) r GROUP BY serial_number) g ON g.serial_number = s.serial_number
LEFT JOIN (SELECT r.serial_number, a."timestamp" AS reading_ms,
                  COUNT(DISTINCT r.email_key) AS candidates, MIN(r.email_key) AS email_key
           FROM ({SHARED_REGISTRATION}) r
           JOIN ({USER_KEYS}) k ON k.email_key = r.email_key
           JOIN staging_accelerometer a ON a."user" = k.raw_user
           GROUP BY r.serial_number, a."timestamp") w
       ON w.serial_number = s.serial_number AND w.reading_ms = s.reading_ms
"""


def insert_step_trainer_trusted(scope: str) -> str:
    """A reading is trusted when its owner is a curated customer (and, under from_consent_date,
    it was taken at or after their consent). The landed lines are parsed once (the CTE)."""
    at = EPOCH_MS.format(col="f.reading_ms")
    return f"""
INSERT INTO step_trainer_trusted (serial_number, reading_ms, reading_at, distance_from_object)
WITH f AS ({STEP_FIELDS})
SELECT DISTINCT f.serial_number, f.reading_ms, {at}, f.distance_from_object
FROM f
JOIN ({STEP_OWNER.format(readings='f')}) o ON o.serial_number = f.serial_number AND o.reading_ms = f.reading_ms
JOIN customer_curated c ON c.email = o.owner
WHERE TRUE
  {_from_consent(scope, at, 'c.research_consent_at')}
"""


# Dimensions are merged, never blindly appended: rerunning the ETL keeps their keys and counts.
# A customer who withdrew consent is deleted (and so vanishes from every fact on rebuild).
# Birthdays before 1900-01-02 (the source's placeholders and absurd years like 1399) are unknown.
DIM_CUSTOMER_MERGE = [
    "DELETE FROM dim_customer WHERE email NOT IN (SELECT email FROM customer_trusted)",
    """
UPDATE dim_customer
SET customer_name = c.customer_name,
    phone = c.phone,
    birthday = CASE WHEN c.birthday >= DATE '1900-01-02' THEN c.birthday END,
    registration_at = c.registration_at,
    research_consent_at = c.research_consent_at,
    public_consent_at = c.public_consent_at,
    friends_consent_at = c.friends_consent_at,
    birth_year = CASE WHEN c.birthday >= DATE '1900-01-02' THEN EXTRACT(year FROM c.birthday) END
FROM customer_trusted c
WHERE dim_customer.email = c.email
""",
    """
INSERT INTO dim_customer (email, customer_name, phone, birthday, registration_at,
                          research_consent_at, public_consent_at, friends_consent_at, birth_year)
SELECT c.email, c.customer_name, c.phone,
       CASE WHEN c.birthday >= DATE '1900-01-02' THEN c.birthday END,
       c.registration_at, c.research_consent_at, c.public_consent_at, c.friends_consent_at,
       CASE WHEN c.birthday >= DATE '1900-01-02' THEN EXTRACT(year FROM c.birthday) END
FROM customer_trusted c
WHERE NOT EXISTS (SELECT 1 FROM dim_customer d WHERE d.email = c.email)
""",
]

DIM_DEVICE_MERGE = [
    """
DELETE FROM dim_device
WHERE serial_number NOT IN (SELECT serial_number FROM device_registration_trusted)
""",
    """
INSERT INTO dim_device (serial_number)
SELECT DISTINCT r.serial_number
FROM device_registration_trusted r
WHERE NOT EXISTS (SELECT 1 FROM dim_device d WHERE d.serial_number = r.serial_number)
""",
]

DIM_TIME_MERGE = [
    """
INSERT INTO dim_time (time_key, hour, day, week, month, year, weekday)
SELECT t.time_key,
       EXTRACT(hour FROM t.time_key), EXTRACT(day FROM t.time_key), EXTRACT(week FROM t.time_key),
       EXTRACT(month FROM t.time_key), EXTRACT(year FROM t.time_key), DATE_PART(dow, t.time_key)
FROM (
    SELECT DATE_TRUNC('second', reading_at) AS time_key FROM accelerometer_trusted
    UNION
    SELECT DATE_TRUNC('second', reading_at) FROM step_trainer_trusted
) t
WHERE NOT EXISTS (SELECT 1 FROM dim_time d WHERE d.time_key = t.time_key)
""",
]

DIM_DATE_MERGE = [
    """
INSERT INTO dim_date (date_key, day, week, month, quarter, year, weekday)
SELECT d.date_key,
       EXTRACT(day FROM d.date_key), EXTRACT(week FROM d.date_key), EXTRACT(month FROM d.date_key),
       EXTRACT(quarter FROM d.date_key), EXTRACT(year FROM d.date_key), DATE_PART(dow, d.date_key)
FROM (SELECT DISTINCT CAST(time_key AS DATE) AS date_key FROM dim_time) d
WHERE NOT EXISTS (SELECT 1 FROM dim_date x WHERE x.date_key = d.date_key)
""",
]

FACTS_REBUILD = [
    "DELETE FROM fact_accelerometer_reading",
    """
INSERT INTO fact_accelerometer_reading (customer_key, time_key, reading_ms, x, y, z)
SELECT d.customer_key, DATE_TRUNC('second', a.reading_at), a.reading_ms, a.x, a.y, a.z
FROM accelerometer_trusted a
JOIN dim_customer d ON d.email = a.email
""",
    "DELETE FROM fact_step_trainer_reading",
    """
INSERT INTO fact_step_trainer_reading (device_key, time_key, reading_ms, distance_from_object)
SELECT d.device_key, DATE_TRUNC('second', s.reading_at), s.reading_ms, s.distance_from_object
FROM step_trainer_trusted s
JOIN dim_device d ON d.serial_number = s.serial_number
""",
]

# Each trusted step-trainer reading is paired with its owner's accelerometer readings at the same
# instant. The owner is the one curated customer registered with the device who has readings
# then: step_trainer_trusted holds only readings whose owner was decided (one candidate among
# *all* registrants), so at most one consenting registrant can match; the checks verify it.
ML_REBUILD = [
    "DELETE FROM machine_learning_curated",
    """
INSERT INTO machine_learning_curated (customer_key, device_key, reading_ms, reading_at, distance_from_object,
                                      x, y, z, research_consent_at)
SELECT dc.customer_key, dd.device_key, s.reading_ms, s.reading_at, s.distance_from_object,
       a.x, a.y, a.z, dc.research_consent_at
FROM step_trainer_trusted s
JOIN device_registration_trusted r ON r.serial_number = s.serial_number
JOIN customer_curated cc ON cc.email = r.email
JOIN accelerometer_trusted a ON a.email = r.email AND a.reading_ms = s.reading_ms
JOIN dim_customer dc ON dc.email = r.email
JOIN dim_device dd ON dd.serial_number = s.serial_number
""",
]


def transform_steps(scope: str = DEFAULT_CONSENT_SCOPE) -> list[Step]:
    """The transform steps under a consent scope: each step runs in one transaction."""
    return [
        Step("trusted zone", "trusted", [
            "DELETE FROM customer_trusted", INSERT_CUSTOMER_TRUSTED,
            "DELETE FROM device_registration_trusted", INSERT_DEVICE_REGISTRATION_TRUSTED,
            "DELETE FROM accelerometer_trusted", insert_accelerometer_trusted(scope),
            # Readings belong to curated customers only, so curated customers come first.
            "DELETE FROM customer_curated", INSERT_CUSTOMER_CURATED,
            "DELETE FROM step_trainer_trusted", insert_step_trainer_trusted(scope),
        ]),
        Step("dimensions", "star", DIM_CUSTOMER_MERGE + DIM_DEVICE_MERGE + DIM_TIME_MERGE + DIM_DATE_MERGE),
        Step("facts", "star", FACTS_REBUILD),
        Step("machine learning table", "curated", ML_REBUILD),
    ]


TRANSFORM_STEPS = transform_steps()

insert_table_queries = [stmt.strip() for step in TRANSFORM_STEPS for stmt in step.statements]
