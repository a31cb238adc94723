"""The London smart-meter warehouse in Amazon Redshift's SQL: landing tables loaded by COPY from
the public dataset's CSV files, and a star schema at the half-hour grain.

Every statement is what a Redshift cluster would be sent; on Postgres targets dwhkit translates
it and emulates COPY. Zones: landing (staging_*) → star (dim_household, dim_time, dim_weather,
fact_consumption) → marts (marts.py). Dimensions are merged on their natural keys, never blindly
appended, so a rerun keeps every surrogate key and every count.

Source defects handled by rule here (and counted in checks.py's reconciliation): ``Null`` values
and duplicated lines in the readings; bank-holiday dates whose day and month were swapped when the
day is 12 or less (``2013-01-04`` is Easter Monday, 1 April 2013); daily weather stamped at
local midnight in UTC (``23:00`` the evening before during British Summer Time); weather gaps
written as ``NULL``; and in every reference file a carriage return inside the last field's closing
quote (``"Normal\r"``), which CSV keeps as data, so text is cut at it (``RTRIM(x, CHR(13))``) and
the daily file's last column, a number, lands as text.
"""

from ..model import Landing, Step, Table


# -- landing ---------------------------------------------------------------------------------
# Columns follow the files' field order (COPY maps CSV fields by position).
STAGING_READING = """
CREATE TABLE IF NOT EXISTS staging_reading (
    lclid         VARCHAR(16),
    tstp          TIMESTAMP,
    energy_kwh_hh DECIMAL(10, 3)
) DISTKEY (lclid) SORTKEY (lclid, tstp)
"""

STAGING_HOUSEHOLD = """
CREATE TABLE IF NOT EXISTS staging_household (
    lclid         VARCHAR(16),
    std_or_tou    VARCHAR(8),
    acorn         VARCHAR(16),
    acorn_grouped VARCHAR(32),
    block_file    VARCHAR(32)
) DISTSTYLE ALL
"""

STAGING_WEATHER_HOURLY = """
CREATE TABLE IF NOT EXISTS staging_weather_hourly (
    visibility           DOUBLE PRECISION,
    wind_bearing         INTEGER,
    temperature          DOUBLE PRECISION,
    observed_at          TIMESTAMP,
    dew_point            DOUBLE PRECISION,
    pressure             DOUBLE PRECISION,
    apparent_temperature DOUBLE PRECISION,
    wind_speed           DOUBLE PRECISION,
    precip_type          VARCHAR(16),
    icon                 VARCHAR(32),
    humidity             DOUBLE PRECISION,
    summary              VARCHAR(128)
) DISTSTYLE ALL
"""

STAGING_WEATHER_DAILY = """
CREATE TABLE IF NOT EXISTS staging_weather_daily (
    temperature_max                DOUBLE PRECISION,
    temperature_max_time           TIMESTAMP,
    wind_bearing                   INTEGER,
    icon                           VARCHAR(32),
    dew_point                      DOUBLE PRECISION,
    temperature_min_time           TIMESTAMP,
    cloud_cover                    DOUBLE PRECISION,
    wind_speed                     DOUBLE PRECISION,
    pressure                       DOUBLE PRECISION,
    apparent_temperature_min_time  TIMESTAMP,
    apparent_temperature_high      DOUBLE PRECISION,
    precip_type                    VARCHAR(16),
    visibility                     DOUBLE PRECISION,
    humidity                       DOUBLE PRECISION,
    apparent_temperature_high_time TIMESTAMP,
    apparent_temperature_low       DOUBLE PRECISION,
    apparent_temperature_max       DOUBLE PRECISION,
    uv_index                       INTEGER,
    day_start                      TIMESTAMP,
    sunset_time                    TIMESTAMP,
    temperature_low                DOUBLE PRECISION,
    temperature_min                DOUBLE PRECISION,
    temperature_high               DOUBLE PRECISION,
    sunrise_time                   TIMESTAMP,
    temperature_high_time          TIMESTAMP,
    uv_index_time                  TIMESTAMP,
    summary                        VARCHAR(256),
    temperature_low_time           TIMESTAMP,
    apparent_temperature_min       DOUBLE PRECISION,
    apparent_temperature_max_time  TIMESTAMP,
    apparent_temperature_low_time  TIMESTAMP,
    moon_phase                     VARCHAR(16)
) DISTSTYLE ALL
"""

STAGING_BANK_HOLIDAY = """
CREATE TABLE IF NOT EXISTS staging_bank_holiday (
    holiday_date DATE,
    holiday_type VARCHAR(64)
) DISTSTYLE ALL
"""

STAGING_TARIFF = """
CREATE TABLE IF NOT EXISTS staging_tariff (
    tariff_at TIMESTAMP,
    tariff    VARCHAR(8)
) DISTSTYLE ALL SORTKEY (tariff_at)
"""

# The generator's ground truth (not part of the public dataset): used only to score detection.
STAGING_ANOMALY_LABEL = """
CREATE TABLE IF NOT EXISTS staging_anomaly_label (
    lclid        VARCHAR(16),
    anomaly_type VARCHAR(32),
    start_at     TIMESTAMP,
    end_at       TIMESTAMP
) DISTSTYLE ALL
"""

# -- star schema -----------------------------------------------------------------------------
DIM_HOUSEHOLD = """
CREATE TABLE IF NOT EXISTS dim_household (
    household_key BIGINT IDENTITY(1, 1),
    lclid         VARCHAR(16) NOT NULL,
    tariff_type   VARCHAR(8)  NOT NULL,
    acorn         VARCHAR(16),
    acorn_group   VARCHAR(32) NOT NULL,
    block_file    VARCHAR(32),
    PRIMARY KEY (household_key)
) DISTSTYLE ALL SORTKEY (lclid)
"""

# One row per half-hour that has readings. tou_tariff is the day-ahead price signal sent to
# time-of-use households (NULL outside the 2013 trial); day_of_week counts from Sunday = 0.
DIM_TIME = """
CREATE TABLE IF NOT EXISTS dim_time (
    time_key        TIMESTAMP   NOT NULL,
    reading_date    DATE        NOT NULL,
    half_hour       SMALLINT    NOT NULL,
    hour            SMALLINT    NOT NULL,
    day_of_week     SMALLINT    NOT NULL,
    is_weekend      BOOLEAN     NOT NULL,
    week            SMALLINT    NOT NULL,
    month           SMALLINT    NOT NULL,
    year            SMALLINT    NOT NULL,
    is_bank_holiday BOOLEAN     NOT NULL,
    holiday_name    VARCHAR(64),
    tou_tariff      VARCHAR(8),
    PRIMARY KEY (time_key)
) DISTSTYLE ALL SORTKEY (time_key)
"""

# One row per observed hour, with its day's summary (the day in UTC).
DIM_WEATHER = """
CREATE TABLE IF NOT EXISTS dim_weather (
    weather_key          BIGINT IDENTITY(1, 1),
    observed_at          TIMESTAMP NOT NULL,
    weather_date         DATE      NOT NULL,
    temperature          DOUBLE PRECISION,
    apparent_temperature DOUBLE PRECISION,
    heating_degrees      DOUBLE PRECISION,
    dew_point            DOUBLE PRECISION,
    humidity             DOUBLE PRECISION,
    pressure             DOUBLE PRECISION,
    wind_speed           DOUBLE PRECISION,
    wind_bearing         INTEGER,
    visibility           DOUBLE PRECISION,
    precip_type          VARCHAR(16),
    icon                 VARCHAR(32),
    summary              VARCHAR(128),
    day_temperature_max  DOUBLE PRECISION,
    day_temperature_min  DOUBLE PRECISION,
    sunrise_at           TIMESTAMP,
    sunset_at            TIMESTAMP,
    is_daylight          BOOLEAN,
    PRIMARY KEY (weather_key)
) DISTSTYLE ALL SORTKEY (observed_at)
"""

# weather_key is NULL where the reading's hour has no observation (the source misses a few hours).
FACT_CONSUMPTION = """
CREATE TABLE IF NOT EXISTS fact_consumption (
    household_key BIGINT         NOT NULL,
    time_key      TIMESTAMP      NOT NULL,
    weather_key   BIGINT,
    energy_kwh    DECIMAL(10, 3) NOT NULL
) DISTKEY (household_key) SORTKEY (time_key)
"""

# -- COPY (templates: {source} is the key prefix, {auth} the authorisation) -----------------------
# The readings' timestamps carry seven fractional digits (`2012-10-12 00:30:00.0000000`), which
# TIMEFORMAT's SS accepts; the reference files use the same layout without the fraction.
CSV_OPTIONS = """FORMAT AS CSV
IGNOREHEADER 1
TIMEFORMAT 'YYYY-MM-DD HH:MI:SS'
DATEFORMAT 'YYYY-MM-DD'
COMPUPDATE OFF STATUPDATE OFF"""


def _copy(table: str, extra: str = "") -> str:
    return f"COPY {table}\nFROM '{{source}}'\n{{auth}}\n{CSV_OPTIONS}{extra}\n"


COPY_READING = _copy("staging_reading", "\nNULL AS 'Null'")
COPY_HOUSEHOLD = _copy("staging_household")
COPY_WEATHER_HOURLY = _copy("staging_weather_hourly", "\nNULL AS 'NULL'")
COPY_WEATHER_DAILY = _copy("staging_weather_daily", "\nNULL AS 'NULL'")
COPY_BANK_HOLIDAY = _copy("staging_bank_holiday")
COPY_TARIFF = _copy("staging_tariff")
COPY_ANOMALY_LABEL = _copy("staging_anomaly_label")

# -- transformations -------------------------------------------------------------------------
# The households as the dimension sees them: one per LCLid (a repeated LCLid keeps its first row
# by block file), ACORN- (no group) → 'Unknown', ACORN-U → 'Unclassified'.
HOUSEHOLD_SOURCE = """
SELECT lclid, std_or_tou, acorn, acorn_grouped, block_file
FROM (
    SELECT TRIM(lclid) AS lclid,
           CASE WHEN std_or_tou = 'ToU' THEN 'ToU' ELSE 'Std' END AS std_or_tou,
           NULLIF(acorn, 'ACORN-') AS acorn,
           CASE WHEN acorn_grouped IN ('Affluent', 'Comfortable', 'Adversity') THEN acorn_grouped
                WHEN acorn_grouped = 'ACORN-U' THEN 'Unclassified'
                ELSE 'Unknown' END AS acorn_grouped,
           RTRIM(block_file, CHR(13)) AS block_file,
           ROW_NUMBER() OVER (PARTITION BY TRIM(lclid) ORDER BY block_file, acorn) AS rn
    FROM staging_household
    WHERE lclid IS NOT NULL
) h
WHERE rn = 1
"""

DIM_HOUSEHOLD_MERGE = [
    "DELETE FROM dim_household WHERE lclid NOT IN (SELECT TRIM(lclid) FROM staging_household WHERE lclid IS NOT NULL)",
    f"""
UPDATE dim_household
SET tariff_type = s.std_or_tou, acorn = s.acorn, acorn_group = s.acorn_grouped, block_file = s.block_file
FROM ({HOUSEHOLD_SOURCE}) s
WHERE dim_household.lclid = s.lclid
""",
    f"""
INSERT INTO dim_household (lclid, tariff_type, acorn, acorn_group, block_file)
SELECT s.lclid, s.std_or_tou, s.acorn, s.acorn_grouped, s.block_file
FROM ({HOUSEHOLD_SOURCE}) s
WHERE NOT EXISTS (SELECT 1 FROM dim_household d WHERE d.lclid = s.lclid)
""",
]

# The true date of a published bank holiday: the file swapped day and month whenever the day
# is 12 or less (it was read as month-first), so swap them back.
HOLIDAY_DATE = """CASE WHEN EXTRACT(day FROM h.holiday_date) <= 12
            THEN TO_DATE(TO_CHAR(h.holiday_date, 'YYYY-DD-MM'), 'YYYY-MM-DD')
            ELSE h.holiday_date END"""

HOLIDAYS = f"""
SELECT holiday_date, MIN(holiday_type) AS holiday_name
FROM (SELECT {HOLIDAY_DATE} AS holiday_date, RTRIM(h.holiday_type, CHR(13)) AS holiday_type
      FROM staging_bank_holiday h
      WHERE h.holiday_date IS NOT NULL) x
GROUP BY holiday_date
"""

TARIFFS = """
SELECT tariff_at, MIN(RTRIM(tariff, CHR(13))) AS tariff FROM staging_tariff WHERE tariff_at IS NOT NULL GROUP BY tariff_at
"""

TIME_SOURCE = f"""
SELECT t.time_key,
       CAST(t.time_key AS DATE) AS reading_date,
       EXTRACT(hour FROM t.time_key) * 2 + EXTRACT(minute FROM t.time_key) / 30 AS half_hour,
       EXTRACT(hour FROM t.time_key) AS hour,
       DATE_PART(dow, t.time_key) AS day_of_week,
       CASE WHEN DATE_PART(dow, t.time_key) IN (0, 6) THEN TRUE ELSE FALSE END AS is_weekend,
       EXTRACT(week FROM t.time_key) AS week,
       EXTRACT(month FROM t.time_key) AS month,
       EXTRACT(year FROM t.time_key) AS year,
       CASE WHEN h.holiday_date IS NOT NULL THEN TRUE ELSE FALSE END AS is_bank_holiday,
       h.holiday_name,
       p.tariff AS tou_tariff
FROM (SELECT DISTINCT tstp AS time_key FROM staging_reading WHERE tstp IS NOT NULL) t
LEFT JOIN ({HOLIDAYS}) h ON h.holiday_date = CAST(t.time_key AS DATE)
LEFT JOIN ({TARIFFS}) p ON p.tariff_at = t.time_key
"""

DIM_TIME_MERGE = [
    "DELETE FROM dim_time WHERE time_key NOT IN (SELECT tstp FROM staging_reading WHERE tstp IS NOT NULL)",
    f"""
UPDATE dim_time
SET is_bank_holiday = s.is_bank_holiday, holiday_name = s.holiday_name, tou_tariff = s.tou_tariff
FROM ({TIME_SOURCE}) s
WHERE dim_time.time_key = s.time_key
""",
    f"""
INSERT INTO dim_time (time_key, reading_date, half_hour, hour, day_of_week, is_weekend, week, month, year,
                      is_bank_holiday, holiday_name, tou_tariff)
SELECT s.time_key, s.reading_date, s.half_hour, s.hour, s.day_of_week, s.is_weekend, s.week, s.month, s.year,
       s.is_bank_holiday, s.holiday_name, s.tou_tariff
FROM ({TIME_SOURCE}) s
WHERE NOT EXISTS (SELECT 1 FROM dim_time d WHERE d.time_key = s.time_key)
""",
]

# A daily row's date: its `time` is local midnight in UTC, so one hour later is always that date.
DAILY_WEATHER = """
SELECT weather_date, temperature_max, temperature_min, sunrise_time, sunset_time
FROM (
    SELECT CAST(DATEADD(hour, 1, day_start) AS DATE) AS weather_date, temperature_max, temperature_min,
           sunrise_time, sunset_time,
           ROW_NUMBER() OVER (PARTITION BY CAST(DATEADD(hour, 1, day_start) AS DATE) ORDER BY day_start) AS rn
    FROM staging_weather_daily
    WHERE day_start IS NOT NULL
) d
WHERE rn = 1
"""

WEATHER_SOURCE = f"""
SELECT w.observed_at, CAST(w.observed_at AS DATE) AS weather_date, w.temperature, w.apparent_temperature,
       GREATEST(15.5 - w.temperature, 0) AS heating_degrees,
       w.dew_point, w.humidity, w.pressure, w.wind_speed, w.wind_bearing, w.visibility,
       w.precip_type, w.icon, RTRIM(w.summary, CHR(13)) AS summary,
       d.temperature_max AS day_temperature_max, d.temperature_min AS day_temperature_min,
       d.sunrise_time AS sunrise_at, d.sunset_time AS sunset_at,
       CASE WHEN d.sunrise_time IS NULL THEN NULL
            WHEN DATEADD(minute, 30, w.observed_at) BETWEEN d.sunrise_time AND d.sunset_time THEN TRUE
            ELSE FALSE END AS is_daylight
FROM (
    SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.observed_at ORDER BY s.temperature) AS rn
    FROM staging_weather_hourly s
    WHERE s.observed_at IS NOT NULL
) w
LEFT JOIN ({DAILY_WEATHER}) d ON d.weather_date = CAST(w.observed_at AS DATE)
WHERE w.rn = 1
"""

WEATHER_COLUMNS = ("weather_date, temperature, apparent_temperature, heating_degrees, dew_point, humidity, pressure, "
                   "wind_speed, wind_bearing, visibility, precip_type, icon, summary, day_temperature_max, "
                   "day_temperature_min, sunrise_at, sunset_at, is_daylight")

DIM_WEATHER_MERGE = [
    "DELETE FROM dim_weather WHERE observed_at NOT IN (SELECT observed_at FROM staging_weather_hourly "
    "WHERE observed_at IS NOT NULL)",
    f"""
UPDATE dim_weather
SET {', '.join(f'{c} = s.{c}' for c in WEATHER_COLUMNS.split(', '))}
FROM ({WEATHER_SOURCE}) s
WHERE dim_weather.observed_at = s.observed_at
""",
    f"""
INSERT INTO dim_weather (observed_at, {WEATHER_COLUMNS})
SELECT s.observed_at, {', '.join(f's.{c}' for c in WEATHER_COLUMNS.split(', '))}
FROM ({WEATHER_SOURCE}) s
WHERE NOT EXISTS (SELECT 1 FROM dim_weather d WHERE d.observed_at = s.observed_at)
""",
]

# The readings that become facts: a known household, a time and a value, one per household and
# half-hour (of duplicated lines the largest value is kept; in the data they are identical).
READINGS_KEPT = """
SELECT lclid, tstp, energy_kwh_hh
FROM (
    SELECT TRIM(r.lclid) AS lclid, r.tstp, r.energy_kwh_hh,
           ROW_NUMBER() OVER (PARTITION BY TRIM(r.lclid), r.tstp ORDER BY r.energy_kwh_hh DESC) AS rn
    FROM staging_reading r
    WHERE r.tstp IS NOT NULL AND r.energy_kwh_hh IS NOT NULL
) k
WHERE rn = 1
"""

FACT_REBUILD = [
    "DELETE FROM fact_consumption",
    f"""
INSERT INTO fact_consumption (household_key, time_key, weather_key, energy_kwh)
SELECT h.household_key, r.tstp, w.weather_key, r.energy_kwh_hh
FROM ({READINGS_KEPT}) r
JOIN dim_household h ON h.lclid = r.lclid
LEFT JOIN dim_weather w ON w.observed_at = DATE_TRUNC('hour', r.tstp)
""",
]

TABLES = [
    Table("staging_household", "landing", STAGING_HOUSEHOLD),
    Table("staging_reading", "landing", STAGING_READING),
    Table("staging_weather_hourly", "landing", STAGING_WEATHER_HOURLY),
    Table("staging_weather_daily", "landing", STAGING_WEATHER_DAILY),
    Table("staging_bank_holiday", "landing", STAGING_BANK_HOLIDAY),
    Table("staging_tariff", "landing", STAGING_TARIFF),
    Table("staging_anomaly_label", "landing", STAGING_ANOMALY_LABEL),
    Table("dim_household", "star", DIM_HOUSEHOLD),
    Table("dim_time", "star", DIM_TIME),
    Table("dim_weather", "star", DIM_WEATHER),
    Table("fact_consumption", "star", FACT_CONSUMPTION),
]

LANDINGS = [
    Landing("staging_household", "informations_households.csv", COPY_HOUSEHOLD),
    Landing("staging_reading", "halfhourly_dataset/block_", COPY_READING),
    Landing("staging_weather_hourly", "weather_hourly_darksky.csv", COPY_WEATHER_HOURLY),
    Landing("staging_weather_daily", "weather_daily_darksky.csv", COPY_WEATHER_DAILY),
    Landing("staging_bank_holiday", "uk_bank_holidays.csv", COPY_BANK_HOLIDAY),
    Landing("staging_tariff", "Tariffs_table.csv", COPY_TARIFF),
    Landing("staging_anomaly_label", "anomaly_labels.csv", COPY_ANOMALY_LABEL),
]

STAR_STEPS = [
    Step("household dimension", "star", DIM_HOUSEHOLD_MERGE),
    Step("time dimension", "star", DIM_TIME_MERGE),
    Step("weather dimension", "star", DIM_WEATHER_MERGE),
    Step("consumption facts", "star", FACT_REBUILD),
]
