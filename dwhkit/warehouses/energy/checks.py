"""The energy warehouse's reconciliation and data-quality queries (Redshift SQL).

Reconciliation classifies every landing row by the one rule that decided its fate, so each flow's
outcomes add up to its landing table's rows; the energy flow adds up watt-hours instead, so the
kWh that reach the facts are accounted for to the last reading. Checks count violations (0 passes).
"""
from ...quality import Check, foreign_key, primary_key
from .sql import HOLIDAY_DATE

MOVED = "moved on"

# The fate of each landing reading, in the order the ETL applies its rules.
_READING_OUTCOME = f"""
CASE WHEN h.lclid IS NULL THEN 'reading of an unknown household'
     WHEN r.tstp IS NULL THEN 'no reading time'
     WHEN r.energy_kwh_hh IS NULL THEN 'Null value'
     WHEN ROW_NUMBER() OVER (PARTITION BY TRIM(r.lclid), r.tstp,
                                          CASE WHEN r.energy_kwh_hh IS NULL THEN 1 ELSE 0 END
                             ORDER BY r.energy_kwh_hh DESC) > 1 THEN 'duplicate reading'
     ELSE '{MOVED}' END"""

_READINGS_FROM = "FROM staging_reading r LEFT JOIN dim_household h ON h.lclid = TRIM(r.lclid)"

WATT_HOURS = "CAST(COALESCE(SUM({col}), 0) * 1000 AS BIGINT)"

RECONCILIATION = [
    ("readings: landing → facts", f"""
SELECT outcome, COUNT(*) FROM (SELECT {_READING_OUTCOME} AS outcome {_READINGS_FROM}) o
GROUP BY outcome ORDER BY outcome
"""),
    ("energy (Wh): landing → facts", f"""
SELECT outcome, {WATT_HOURS.format(col='energy_kwh_hh')} FROM (
    SELECT {_READING_OUTCOME} AS outcome, r.energy_kwh_hh {_READINGS_FROM}
) o GROUP BY outcome ORDER BY outcome
"""),
    ("households: landing → dimension", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE WHEN lclid IS NULL THEN 'no LCLid'
                WHEN ROW_NUMBER() OVER (PARTITION BY TRIM(lclid) ORDER BY block_file, acorn) > 1 THEN 'repeated LCLid'
                ELSE '{MOVED}' END AS outcome
    FROM staging_household
) o GROUP BY outcome ORDER BY outcome
"""),
    ("hourly weather: landing → dimension", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE WHEN observed_at IS NULL THEN 'no observation time'
                WHEN ROW_NUMBER() OVER (PARTITION BY observed_at ORDER BY temperature) > 1 THEN 'repeated hour'
                ELSE '{MOVED}' END AS outcome
    FROM staging_weather_hourly
) o GROUP BY outcome ORDER BY outcome
"""),
    ("daily weather: landing → weather dimension", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE WHEN s.day_start IS NULL THEN 'no date'
                WHEN ROW_NUMBER() OVER (PARTITION BY CAST(DATEADD(hour, 1, s.day_start) AS DATE)
                                        ORDER BY s.day_start) > 1 THEN 'repeated day'
                WHEN NOT EXISTS (SELECT 1 FROM dim_weather w
                                 WHERE w.weather_date = CAST(DATEADD(hour, 1, s.day_start) AS DATE)) THEN 'no hourly observations that day'
                ELSE '{MOVED}' END AS outcome
    FROM staging_weather_daily s
) o GROUP BY outcome ORDER BY outcome
"""),
    ("bank holidays: landing → time dimension", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE WHEN h.holiday_date IS NULL THEN 'no date'
                WHEN ROW_NUMBER() OVER (PARTITION BY {HOLIDAY_DATE} ORDER BY h.holiday_type) > 1 THEN 'repeated date'
                WHEN NOT EXISTS (SELECT 1 FROM dim_time t WHERE t.reading_date = {HOLIDAY_DATE})
                     THEN 'outside the readings'
                WHEN {HOLIDAY_DATE} <> h.holiday_date THEN '{MOVED} (day and month swapped back)'
                ELSE '{MOVED}' END AS outcome
    FROM staging_bank_holiday h
) o GROUP BY outcome ORDER BY outcome
"""),
    ("tariff signals: landing → time dimension", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE WHEN s.tariff_at IS NULL THEN 'no time'
                WHEN ROW_NUMBER() OVER (PARTITION BY s.tariff_at ORDER BY s.tariff) > 1 THEN 'repeated half-hour'
                WHEN NOT EXISTS (SELECT 1 FROM dim_time t WHERE t.time_key = s.tariff_at) THEN 'no readings at that half-hour'
                ELSE '{MOVED}' END AS outcome
    FROM staging_tariff s
) o GROUP BY outcome ORDER BY outcome
"""),
    ("anomaly labels: landing → evaluation", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE WHEN h.household_key IS NULL THEN 'unknown household'
                WHEN NOT EXISTS (SELECT 1 FROM eval_anomaly_day e
                                 WHERE e.household_key = h.household_key AND e.anomaly_type = l.anomaly_type
                                   AND e.reading_date BETWEEN CAST(l.start_at AS DATE) AND CAST(l.end_at AS DATE))
                     THEN 'no readings in its period'
                ELSE '{MOVED}' END AS outcome
    FROM staging_anomaly_label l
    LEFT JOIN dim_household h ON h.lclid = TRIM(l.lclid)
) o GROUP BY outcome ORDER BY outcome
"""),
]


def _same_energy(name: str, a: str, b: str) -> Check:
    """Two totals of kWh that must agree; the violation count is their difference in Wh."""
    return Check(name, f"SELECT CAST(ABS(COALESCE(({a}), 0) - COALESCE(({b}), 0)) * 1000 AS BIGINT)")


FACT_KWH = "SELECT SUM(energy_kwh) FROM fact_consumption"

CHECKS = [
    primary_key("dim_household", ["household_key"]),
    primary_key("dim_household", ["lclid"]),
    primary_key("dim_time", ["time_key"]),
    primary_key("dim_weather", ["weather_key"]),
    primary_key("dim_weather", ["observed_at"]),
    primary_key("fact_consumption", ["household_key", "time_key"]),
    primary_key("mart_daily_consumption", ["household_key", "reading_date"]),
    primary_key("mart_demand_halfhourly", ["time_key"]),
    primary_key("mart_household_day_features", ["household_key", "reading_date"]),
    primary_key("eval_anomaly_day", ["household_key", "reading_date", "anomaly_type"]),
    foreign_key("fact_consumption", "household_key", "dim_household", "household_key"),
    foreign_key("fact_consumption", "time_key", "dim_time", "time_key"),
    Check("reference: fact_consumption.weather_key → dim_weather.weather_key (where known)", """
SELECT COUNT(*) FROM fact_consumption f
WHERE f.weather_key IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM dim_weather w WHERE w.weather_key = f.weather_key)
"""),
    foreign_key("mart_daily_consumption", "household_key", "dim_household", "household_key"),
    foreign_key("mart_demand_halfhourly", "time_key", "dim_time", "time_key"),
    foreign_key("mart_household_day_features", "household_key", "dim_household", "household_key"),
    foreign_key("eval_anomaly_day", "household_key", "dim_household", "household_key"),
    _same_energy("energy: facts hold every kept landing reading", FACT_KWH, """
SELECT SUM(k.energy_kwh_hh) FROM (
    SELECT TRIM(r.lclid) AS lclid, r.energy_kwh_hh,
           ROW_NUMBER() OVER (PARTITION BY TRIM(r.lclid), r.tstp ORDER BY r.energy_kwh_hh DESC) AS rn
    FROM staging_reading r WHERE r.tstp IS NOT NULL AND r.energy_kwh_hh IS NOT NULL
) k JOIN dim_household h ON h.lclid = k.lclid WHERE k.rn = 1"""),
    _same_energy("energy: daily mart = facts", "SELECT SUM(energy_kwh) FROM mart_daily_consumption", FACT_KWH),
    _same_energy("energy: demand mart = facts", "SELECT SUM(energy_kwh) FROM mart_demand_halfhourly", FACT_KWH),
    _same_energy("energy: household-day features = facts",
                 "SELECT SUM(energy_kwh) FROM mart_household_day_features", FACT_KWH),
    Check("time: every reading on the half-hour grid", """
SELECT COUNT(*) FROM dim_time
WHERE EXTRACT(minute FROM time_key) NOT IN (0, 30) OR DATE_PART(second, time_key) <> 0
"""),
    Check("time: no household-day with more than 48 readings",
          "SELECT COUNT(*) FROM mart_daily_consumption WHERE readings > 48"),
    Check("bank holidays: every corrected date is a weekday", f"""
SELECT COUNT(*) FROM staging_bank_holiday h
WHERE h.holiday_date IS NOT NULL AND DATE_PART(dow, {HOLIDAY_DATE}) IN (0, 6)
"""),
    Check("demand: households reporting never exceed households with readings", """
SELECT COUNT(*) FROM mart_demand_halfhourly
WHERE households > (SELECT COUNT(DISTINCT household_key) FROM fact_consumption)
"""),
    Check("readings: no negative consumption", "SELECT COUNT(*) FROM fact_consumption WHERE energy_kwh < 0"),
]
