"""STEDI schema: landing, trusted, curated and star tables, plus dwhkit's ETL log

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Today's STEDI schema as create_tables.py builds it. The DDL below is a frozen copy of
dwhkit/warehouses/stedi/sql.py (and ETL_LOG_DDL in dwhkit/pipeline.py) at the time of writing,
in Redshift SQL; it must never change, whatever the model does later. Plain CREATE TABLE (no
IF NOT EXISTS): on a warehouse that create_tables.py already built, `alembic stamp` instead.
"""
from alembic import op

from dwhkit.migrate import execute_redshift

revision = "0001"
down_revision = None
branch_labels = ("stedi",)  # the STEDI warehouse's graph: `stedi@head` (added later; ids unchanged)
depends_on = None

STAGING_CUSTOMER = """
CREATE TABLE staging_customer (
    customername              VARCHAR(256),
    email                     VARCHAR(256),
    phone                     VARCHAR(32),
    birthday                  DATE,
    serialnumber              VARCHAR(64),
    registrationdate          TIMESTAMP,
    lastupdatedate            TIMESTAMP,
    sharewithresearchasofdate TIMESTAMP,
    sharewithpublicasofdate   TIMESTAMP,
    sharewithfriendsasofdate  TIMESTAMP
) DISTSTYLE ALL
"""

STAGING_ACCELEROMETER = """
CREATE TABLE staging_accelerometer (
    "user"      VARCHAR(256),
    "timestamp" BIGINT,
    x           DOUBLE PRECISION,
    y           DOUBLE PRECISION,
    z           DOUBLE PRECISION
) DISTKEY ("user") SORTKEY ("timestamp")
"""

STAGING_STEP_TRAINER = """
CREATE TABLE staging_step_trainer (
    raw_json VARCHAR(4096)
) DISTSTYLE EVEN
"""

CUSTOMER_TRUSTED = """
CREATE TABLE customer_trusted (
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
CREATE TABLE device_registration_trusted (
    serial_number       VARCHAR(64)  NOT NULL,
    email               VARCHAR(256) NOT NULL,
    PRIMARY KEY (serial_number, email)
) DISTSTYLE ALL SORTKEY (serial_number)
"""

ACCELEROMETER_TRUSTED = """
CREATE TABLE accelerometer_trusted (
    email      VARCHAR(256)     NOT NULL,
    reading_ms BIGINT           NOT NULL,
    reading_at TIMESTAMP        NOT NULL,
    x          DOUBLE PRECISION,
    y          DOUBLE PRECISION,
    z          DOUBLE PRECISION
) DISTKEY (email) SORTKEY (reading_ms)
"""

STEP_TRAINER_TRUSTED = """
CREATE TABLE step_trainer_trusted (
    serial_number        VARCHAR(64) NOT NULL,
    reading_ms           BIGINT      NOT NULL,
    reading_at           TIMESTAMP   NOT NULL,
    distance_from_object INTEGER
) DISTKEY (serial_number) SORTKEY (reading_ms)
"""

CUSTOMER_CURATED = """
CREATE TABLE customer_curated (
    email               VARCHAR(256) NOT NULL,
    customer_name       VARCHAR(256),
    serial_number       VARCHAR(64),
    registration_at     TIMESTAMP,
    research_consent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (email)
) DISTSTYLE ALL SORTKEY (email)
"""

DIM_CUSTOMER = """
CREATE TABLE dim_customer (
    customer_key        BIGINT IDENTITY(1, 1),
    email               VARCHAR(256) NOT NULL,
    customer_name       VARCHAR(256),
    phone               VARCHAR(32),
    birthday            DATE,
    registration_at     TIMESTAMP,
    research_consent_at TIMESTAMP NOT NULL,
    public_consent_at   TIMESTAMP,
    friends_consent_at  TIMESTAMP,
    PRIMARY KEY (customer_key)
) DISTSTYLE ALL SORTKEY (email)
"""

DIM_DEVICE = """
CREATE TABLE dim_device (
    device_key    BIGINT IDENTITY(1, 1),
    serial_number VARCHAR(64) NOT NULL,
    PRIMARY KEY (device_key)
) DISTSTYLE ALL SORTKEY (serial_number)
"""

DIM_TIME = """
CREATE TABLE dim_time (
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

FACT_ACCELEROMETER_READING = """
CREATE TABLE fact_accelerometer_reading (
    customer_key BIGINT    NOT NULL,
    time_key     TIMESTAMP NOT NULL,
    reading_ms   BIGINT    NOT NULL,
    x            DOUBLE PRECISION,
    y            DOUBLE PRECISION,
    z            DOUBLE PRECISION
) DISTKEY (customer_key) SORTKEY (time_key)
"""

FACT_STEP_TRAINER_READING = """
CREATE TABLE fact_step_trainer_reading (
    device_key           BIGINT    NOT NULL,
    time_key             TIMESTAMP NOT NULL,
    reading_ms           BIGINT    NOT NULL,
    distance_from_object INTEGER
) DISTKEY (device_key) SORTKEY (time_key)
"""

MACHINE_LEARNING_CURATED = """
CREATE TABLE machine_learning_curated (
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
    finished_at   TIMESTAMP DEFAULT GETDATE()
) DISTSTYLE ALL
"""

# (table, DDL) in creation order.
TABLES = [
    ("staging_customer", STAGING_CUSTOMER),
    ("staging_accelerometer", STAGING_ACCELEROMETER),
    ("staging_step_trainer", STAGING_STEP_TRAINER),
    ("customer_trusted", CUSTOMER_TRUSTED),
    ("device_registration_trusted", DEVICE_REGISTRATION_TRUSTED),
    ("accelerometer_trusted", ACCELEROMETER_TRUSTED),
    ("step_trainer_trusted", STEP_TRAINER_TRUSTED),
    ("customer_curated", CUSTOMER_CURATED),
    ("dim_customer", DIM_CUSTOMER),
    ("dim_device", DIM_DEVICE),
    ("dim_time", DIM_TIME),
    ("fact_accelerometer_reading", FACT_ACCELEROMETER_READING),
    ("fact_step_trainer_reading", FACT_STEP_TRAINER_READING),
    ("machine_learning_curated", MACHINE_LEARNING_CURATED),
    ("dwhkit_etl_log", DWHKIT_ETL_LOG),
]


def upgrade() -> None:
    for _, ddl in TABLES:
        execute_redshift(op, ddl)


def downgrade() -> None:
    for name, _ in reversed(TABLES):
        execute_redshift(op, f"DROP TABLE {name}")
