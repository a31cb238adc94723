"""energy schema: landing, star and marts of the London smart-meter warehouse, plus its ETL log

Revision ID: energy_0001
Revises:
Create Date: 2026-11-30

The energy warehouse as create_tables builds it today, in its own schema (energy; the
migration environment creates the schema and puts it on the search path, so the names below
are unqualified). The DDL is a frozen copy of dwhkit/warehouses/energy/ (and ETL_LOG_DDL in
dwhkit/pipeline.py) at the time of writing, in Redshift SQL; it must never change, whatever the
model does later. Plain CREATE TABLE (no IF NOT EXISTS): on a warehouse that create_tables
already built, `dwh --warehouse energy migrate stamp head` instead.
"""
from alembic import op

from dwhkit.migrate import execute_redshift

revision = "energy_0001"
down_revision = None
branch_labels = ("energy",)
depends_on = None

STAGING_HOUSEHOLD = """
CREATE TABLE staging_household (
    lclid         VARCHAR(16),
    std_or_tou    VARCHAR(8),
    acorn         VARCHAR(16),
    acorn_grouped VARCHAR(32),
    block_file    VARCHAR(32)
) DISTSTYLE ALL
"""

STAGING_READING = """
CREATE TABLE staging_reading (
    lclid         VARCHAR(16),
    tstp          TIMESTAMP,
    energy_kwh_hh DECIMAL(10, 3)
) DISTKEY (lclid) SORTKEY (lclid, tstp)
"""

STAGING_WEATHER_HOURLY = """
CREATE TABLE staging_weather_hourly (
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
CREATE TABLE staging_weather_daily (
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
CREATE TABLE staging_bank_holiday (
    holiday_date DATE,
    holiday_type VARCHAR(64)
) DISTSTYLE ALL
"""

STAGING_TARIFF = """
CREATE TABLE staging_tariff (
    tariff_at TIMESTAMP,
    tariff    VARCHAR(8)
) DISTSTYLE ALL SORTKEY (tariff_at)
"""

STAGING_ANOMALY_LABEL = """
CREATE TABLE staging_anomaly_label (
    lclid        VARCHAR(16),
    anomaly_type VARCHAR(32),
    start_at     TIMESTAMP,
    end_at       TIMESTAMP
) DISTSTYLE ALL
"""

DIM_HOUSEHOLD = """
CREATE TABLE dim_household (
    household_key BIGINT IDENTITY(1, 1),
    lclid         VARCHAR(16) NOT NULL,
    tariff_type   VARCHAR(8)  NOT NULL,
    acorn         VARCHAR(16),
    acorn_group   VARCHAR(32) NOT NULL,
    block_file    VARCHAR(32),
    PRIMARY KEY (household_key)
) DISTSTYLE ALL SORTKEY (lclid)
"""

DIM_TIME = """
CREATE TABLE dim_time (
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

DIM_WEATHER = """
CREATE TABLE dim_weather (
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

FACT_CONSUMPTION = """
CREATE TABLE fact_consumption (
    household_key BIGINT         NOT NULL,
    time_key      TIMESTAMP      NOT NULL,
    weather_key   BIGINT,
    energy_kwh    DECIMAL(10, 3) NOT NULL
) DISTKEY (household_key) SORTKEY (time_key)
"""

MART_DAILY_CONSUMPTION = """
CREATE TABLE mart_daily_consumption (
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
CREATE TABLE mart_demand_halfhourly (
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
CREATE TABLE mart_household_day_features (
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
CREATE TABLE eval_anomaly_day (
    household_key BIGINT      NOT NULL,
    reading_date  DATE        NOT NULL,
    anomaly_type  VARCHAR(32) NOT NULL
) DISTSTYLE ALL SORTKEY (household_key, reading_date)
"""

DWHKIT_ETL_LOG = """
CREATE TABLE dwhkit_etl_log (
    run_id        VARCHAR(36)  NOT NULL,
    warehouse     VARCHAR(64)  NOT NULL,
    step          VARCHAR(128) NOT NULL,
    zone          VARCHAR(32)  NOT NULL,
    table_name    VARCHAR(128),
    rows_loaded   BIGINT,
    rows_rejected BIGINT,
    seconds       DOUBLE PRECISION,
    finished_at   TIMESTAMP DEFAULT GETDATE(),
    status        VARCHAR(16)  DEFAULT 'ok',
    error         VARCHAR(1024),
    lake          VARCHAR(1024)
) DISTSTYLE ALL
"""

# (table, DDL) in creation order.
TABLES = [
    ("staging_household", STAGING_HOUSEHOLD),
    ("staging_reading", STAGING_READING),
    ("staging_weather_hourly", STAGING_WEATHER_HOURLY),
    ("staging_weather_daily", STAGING_WEATHER_DAILY),
    ("staging_bank_holiday", STAGING_BANK_HOLIDAY),
    ("staging_tariff", STAGING_TARIFF),
    ("staging_anomaly_label", STAGING_ANOMALY_LABEL),
    ("dim_household", DIM_HOUSEHOLD),
    ("dim_time", DIM_TIME),
    ("dim_weather", DIM_WEATHER),
    ("fact_consumption", FACT_CONSUMPTION),
    ("mart_daily_consumption", MART_DAILY_CONSUMPTION),
    ("mart_demand_halfhourly", MART_DEMAND_HALFHOURLY),
    ("mart_household_day_features", MART_HOUSEHOLD_DAY_FEATURES),
    ("eval_anomaly_day", EVAL_ANOMALY_DAY),
    ("dwhkit_etl_log", DWHKIT_ETL_LOG),
]


def upgrade() -> None:
    for _, ddl in TABLES:
        execute_redshift(op, ddl)


def downgrade() -> None:
    for name, _ in reversed(TABLES):
        execute_redshift(op, f"DROP TABLE {name}")
