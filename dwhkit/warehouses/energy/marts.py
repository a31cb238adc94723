"""The marts analysts and models read, built in Redshift SQL from the star schema.

- ``mart_daily_consumption``: kWh per household and day.
- ``mart_demand_halfhourly``: the fleet's demand per half-hour with weather and calendar features
  and yesterday's and last week's demand at the same half-hour (a next-day forecast's input).
- ``mart_household_day_features``: per household-day shape features, each also relative to the
  household's own usual day, for anomaly detection.
- ``eval_anomaly_day``: the generator's labelled anomalies expanded to household-days (scoring only).

All are rebuilt on every run (deleted and reinserted in one transaction), so reruns are identical.
"""

from ..model import Step, Table


MART_DAILY_CONSUMPTION = """
CREATE TABLE IF NOT EXISTS mart_daily_consumption (
    household_key BIGINT         NOT NULL,
    reading_date  DATE           NOT NULL,
    readings      SMALLINT       NOT NULL,
    energy_kwh    DECIMAL(12, 3) NOT NULL,
    min_kwh       DECIMAL(10, 3),
    max_kwh       DECIMAL(10, 3),
    is_complete   BOOLEAN        NOT NULL
) DISTKEY (household_key) SORTKEY (reading_date)
"""

MART_DEMAND_HALFHOURLY = """
CREATE TABLE IF NOT EXISTS mart_demand_halfhourly (
    time_key             TIMESTAMP      NOT NULL,
    reading_date         DATE           NOT NULL,
    half_hour            SMALLINT       NOT NULL,
    day_of_week          SMALLINT       NOT NULL,
    is_weekend           BOOLEAN        NOT NULL,
    is_bank_holiday      BOOLEAN        NOT NULL,
    tou_tariff           VARCHAR(8),
    households           INTEGER        NOT NULL,
    energy_kwh           DECIMAL(14, 3) NOT NULL,
    mean_kwh             DOUBLE PRECISION NOT NULL,
    std_mean_kwh         DOUBLE PRECISION,
    tou_mean_kwh         DOUBLE PRECISION,
    temperature          DOUBLE PRECISION,
    apparent_temperature DOUBLE PRECISION,
    humidity             DOUBLE PRECISION,
    heating_degrees      DOUBLE PRECISION,
    is_daylight          BOOLEAN,
    mean_kwh_prev_day    DOUBLE PRECISION,
    mean_kwh_prev_week   DOUBLE PRECISION,
    temperature_prev_day DOUBLE PRECISION,
    PRIMARY KEY (time_key)
) DISTSTYLE ALL SORTKEY (time_key)
"""

MART_HOUSEHOLD_DAY_FEATURES = """
CREATE TABLE IF NOT EXISTS mart_household_day_features (
    household_key     BIGINT         NOT NULL,
    reading_date      DATE           NOT NULL,
    tariff_type       VARCHAR(8)     NOT NULL,
    acorn_group       VARCHAR(32)    NOT NULL,
    is_weekend        BOOLEAN        NOT NULL,
    is_bank_holiday   BOOLEAN        NOT NULL,
    readings          SMALLINT       NOT NULL,
    energy_kwh        DECIMAL(12, 3) NOT NULL,
    night_kwh         DECIMAL(12, 3) NOT NULL,
    peak_kwh          DECIMAL(10, 3) NOT NULL,
    mean_kwh          DOUBLE PRECISION NOT NULL,
    std_kwh           DOUBLE PRECISION,
    zero_readings     SMALLINT       NOT NULL,
    repeated_readings SMALLINT       NOT NULL,
    night_share       DOUBLE PRECISION,
    peak_to_mean      DOUBLE PRECISION,
    mean_temperature  DOUBLE PRECISION,
    energy_vs_usual   DOUBLE PRECISION,
    night_vs_usual    DOUBLE PRECISION,
    peak_vs_usual     DOUBLE PRECISION,
    energy_z          DOUBLE PRECISION
) DISTKEY (household_key) SORTKEY (household_key, reading_date)
"""

EVAL_ANOMALY_DAY = """
CREATE TABLE IF NOT EXISTS eval_anomaly_day (
    household_key BIGINT      NOT NULL,
    reading_date  DATE        NOT NULL,
    anomaly_type  VARCHAR(32) NOT NULL
) DISTSTYLE ALL SORTKEY (household_key, reading_date)
"""

DAILY_REBUILD = [
    "DELETE FROM mart_daily_consumption",
    """
INSERT INTO mart_daily_consumption (household_key, reading_date, readings, energy_kwh, min_kwh, max_kwh, is_complete)
SELECT f.household_key, t.reading_date, COUNT(*), SUM(f.energy_kwh), MIN(f.energy_kwh), MAX(f.energy_kwh),
       CASE WHEN COUNT(*) = 48 THEN TRUE ELSE FALSE END
FROM fact_consumption f
JOIN dim_time t ON t.time_key = f.time_key
GROUP BY f.household_key, t.reading_date
""",
]

# Demand per half-hour: households reporting vary (meters installed over months, outages), so
# the forecast target is the mean per reporting household.
DEMAND = """
SELECT a.*, w.temperature, w.apparent_temperature, w.humidity, w.heating_degrees, w.is_daylight
FROM (
    SELECT f.time_key, t.reading_date, t.half_hour, t.day_of_week, t.is_weekend, t.is_bank_holiday, t.tou_tariff,
           COUNT(*) AS households,
           SUM(f.energy_kwh) AS energy_kwh,
           CAST(SUM(f.energy_kwh) AS DOUBLE PRECISION) / COUNT(*) AS mean_kwh,
           AVG(CASE WHEN h.tariff_type = 'Std' THEN CAST(f.energy_kwh AS DOUBLE PRECISION) END) AS std_mean_kwh,
           AVG(CASE WHEN h.tariff_type = 'ToU' THEN CAST(f.energy_kwh AS DOUBLE PRECISION) END) AS tou_mean_kwh
    FROM fact_consumption f
    JOIN dim_time t ON t.time_key = f.time_key
    JOIN dim_household h ON h.household_key = f.household_key
    GROUP BY f.time_key, t.reading_date, t.half_hour, t.day_of_week, t.is_weekend, t.is_bank_holiday, t.tou_tariff
) a
LEFT JOIN dim_weather w ON w.observed_at = DATE_TRUNC('hour', a.time_key)
"""

DEMAND_REBUILD = [
    "DELETE FROM mart_demand_halfhourly",
    f"""
INSERT INTO mart_demand_halfhourly (time_key, reading_date, half_hour, day_of_week, is_weekend, is_bank_holiday,
                                    tou_tariff, households, energy_kwh, mean_kwh, std_mean_kwh, tou_mean_kwh,
                                    temperature, apparent_temperature, humidity, heating_degrees, is_daylight,
                                    mean_kwh_prev_day, mean_kwh_prev_week, temperature_prev_day)
WITH demand AS ({DEMAND})
SELECT d.time_key, d.reading_date, d.half_hour, d.day_of_week, d.is_weekend, d.is_bank_holiday, d.tou_tariff,
       d.households, d.energy_kwh, d.mean_kwh, d.std_mean_kwh, d.tou_mean_kwh,
       d.temperature, d.apparent_temperature, d.humidity, d.heating_degrees, d.is_daylight,
       p.mean_kwh, k.mean_kwh, p.temperature
FROM demand d
LEFT JOIN demand p ON p.time_key = DATEADD(day, -1, d.time_key)
LEFT JOIN demand k ON k.time_key = DATEADD(day, -7, d.time_key)
""",
]

# Per reading: the half-hour and whether it repeats the previous half-hour's value exactly.
_READINGS = """
SELECT f.household_key, t.reading_date, t.half_hour, t.is_weekend, t.is_bank_holiday, f.energy_kwh, w.temperature,
       CASE WHEN LAG(f.energy_kwh) OVER (PARTITION BY f.household_key ORDER BY f.time_key) = f.energy_kwh
             AND LAG(f.time_key) OVER (PARTITION BY f.household_key ORDER BY f.time_key) = DATEADD(minute, -30, f.time_key)
            THEN 1 ELSE 0 END AS repeated
FROM fact_consumption f
JOIN dim_time t ON t.time_key = f.time_key
LEFT JOIN dim_weather w ON w.weather_key = f.weather_key
"""

# Per household-day; night is 00:00–05:00 (half-hours 0–9).
_DAYS = f"""
SELECT r.household_key, r.reading_date,
       BOOL_OR(r.is_weekend) AS is_weekend, BOOL_OR(r.is_bank_holiday) AS is_bank_holiday,
       COUNT(*) AS readings,
       SUM(r.energy_kwh) AS energy_kwh,
       SUM(CASE WHEN r.half_hour < 10 THEN r.energy_kwh ELSE 0 END) AS night_kwh,
       SUM(CASE WHEN r.half_hour < 10 THEN 1 ELSE 0 END) AS night_readings,
       MAX(r.energy_kwh) AS peak_kwh,
       CAST(SUM(r.energy_kwh) AS DOUBLE PRECISION) / COUNT(*) AS mean_kwh,
       STDDEV_SAMP(CAST(r.energy_kwh AS DOUBLE PRECISION)) AS std_kwh,
       SUM(CASE WHEN r.energy_kwh = 0 THEN 1 ELSE 0 END) AS zero_readings,
       SUM(r.repeated) AS repeated_readings,
       AVG(r.temperature) AS mean_temperature
FROM ({_READINGS}) r
GROUP BY r.household_key, r.reading_date
"""

FEATURES_REBUILD = [
    "DELETE FROM mart_household_day_features",
    f"""
INSERT INTO mart_household_day_features (household_key, reading_date, tariff_type, acorn_group, is_weekend,
                                         is_bank_holiday, readings, energy_kwh, night_kwh, peak_kwh, mean_kwh,
                                         std_kwh, zero_readings, repeated_readings, night_share, peak_to_mean,
                                         mean_temperature, energy_vs_usual, night_vs_usual, peak_vs_usual, energy_z)
SELECT d.household_key, d.reading_date, h.tariff_type, h.acorn_group, d.is_weekend, d.is_bank_holiday,
       d.readings, d.energy_kwh, d.night_kwh, d.peak_kwh, d.mean_kwh, d.std_kwh, d.zero_readings,
       d.repeated_readings,
       CAST(d.night_kwh AS DOUBLE PRECISION) / NULLIF(CAST(d.energy_kwh AS DOUBLE PRECISION), 0),
       CAST(d.peak_kwh AS DOUBLE PRECISION) / NULLIF(d.mean_kwh, 0),
       d.mean_temperature,
       d.mean_kwh / NULLIF(AVG(d.mean_kwh) OVER (PARTITION BY d.household_key), 0),
       d.night_mean / NULLIF(AVG(d.night_mean) OVER (PARTITION BY d.household_key), 0),
       CAST(d.peak_kwh AS DOUBLE PRECISION)
           / NULLIF(AVG(CAST(d.peak_kwh AS DOUBLE PRECISION)) OVER (PARTITION BY d.household_key), 0),
       (d.mean_kwh - AVG(d.mean_kwh) OVER (PARTITION BY d.household_key))
           / NULLIF(STDDEV_SAMP(d.mean_kwh) OVER (PARTITION BY d.household_key), 0)
FROM (SELECT x.*, CAST(x.night_kwh AS DOUBLE PRECISION) / NULLIF(x.night_readings, 0) AS night_mean
      FROM ({_DAYS}) x) d
JOIN dim_household h ON h.household_key = d.household_key
""",
]

EVAL_REBUILD = [
    "DELETE FROM eval_anomaly_day",
    """
INSERT INTO eval_anomaly_day (household_key, reading_date, anomaly_type)
SELECT DISTINCT h.household_key, d.reading_date, l.anomaly_type
FROM staging_anomaly_label l
JOIN dim_household h ON h.lclid = TRIM(l.lclid)
JOIN mart_daily_consumption d ON d.household_key = h.household_key
                             AND d.reading_date BETWEEN CAST(l.start_at AS DATE) AND CAST(l.end_at AS DATE)
""",
]

TABLES = [
    Table("mart_daily_consumption", "mart", MART_DAILY_CONSUMPTION),
    Table("mart_demand_halfhourly", "mart", MART_DEMAND_HALFHOURLY),
    Table("mart_household_day_features", "mart", MART_HOUSEHOLD_DAY_FEATURES),
    Table("eval_anomaly_day", "evaluation", EVAL_ANOMALY_DAY),
]

MART_STEPS = [
    Step("daily consumption mart", "mart", DAILY_REBUILD),
    Step("half-hourly demand mart", "mart", DEMAND_REBUILD),
    Step("household-day features mart", "mart", FEATURES_REBUILD),
    Step("anomaly labels by day", "evaluation", EVAL_REBUILD),
]
