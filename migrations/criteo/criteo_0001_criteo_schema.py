"""criteo schema: landing, star and click-through-rate marts, plus its ETL log

Revision ID: criteo_0001
Revises:
Create Date: 2026-11-30

The criteo warehouse as create_tables builds it today, in its own schema (criteo; the
migration environment creates the schema and puts it on the search path, so the names below
are unqualified). The DDL is a frozen copy of dwhkit/warehouses/criteo/ (and ETL_LOG_DDL in
dwhkit/pipeline.py) at the time of writing, in Redshift SQL; it must never change, whatever the
model does later. Plain CREATE TABLE (no IF NOT EXISTS): on a warehouse that create_tables
already built, `dwh --warehouse criteo migrate stamp head` instead.
"""
from alembic import op

from dwhkit.migrate import execute_redshift

revision = "criteo_0001"
down_revision = None
branch_labels = ("criteo",)
depends_on = None

STAGING_IMPRESSION = """
CREATE TABLE staging_impression (
    impression_id BIGINT IDENTITY(1, 1),
    label SMALLINT,
    i1    BIGINT,
    i2    BIGINT,
    i3    BIGINT,
    i4    BIGINT,
    i5    BIGINT,
    i6    BIGINT,
    i7    BIGINT,
    i8    BIGINT,
    i9    BIGINT,
    i10   BIGINT,
    i11   BIGINT,
    i12   BIGINT,
    i13   BIGINT,
    c1    VARCHAR(8),
    c2    VARCHAR(8),
    c3    VARCHAR(8),
    c4    VARCHAR(8),
    c5    VARCHAR(8),
    c6    VARCHAR(8),
    c7    VARCHAR(8),
    c8    VARCHAR(8),
    c9    VARCHAR(8),
    c10   VARCHAR(8),
    c11   VARCHAR(8),
    c12   VARCHAR(8),
    c13   VARCHAR(8),
    c14   VARCHAR(8),
    c15   VARCHAR(8),
    c16   VARCHAR(8),
    c17   VARCHAR(8),
    c18   VARCHAR(8),
    c19   VARCHAR(8),
    c20   VARCHAR(8),
    c21   VARCHAR(8),
    c22   VARCHAR(8),
    c23   VARCHAR(8),
    c24   VARCHAR(8),
    c25   VARCHAR(8),
    c26   VARCHAR(8)
) DISTSTYLE EVEN
"""

FACT_IMPRESSION = """
CREATE TABLE fact_impression (
    impression_id BIGINT NOT NULL,
    label SMALLINT NOT NULL,
    i1    BIGINT,
    i2    BIGINT,
    i3    BIGINT,
    i4    BIGINT,
    i5    BIGINT,
    i6    BIGINT,
    i7    BIGINT,
    i8    BIGINT,
    i9    BIGINT,
    i10   BIGINT,
    i11   BIGINT,
    i12   BIGINT,
    i13   BIGINT,
    c1    VARCHAR(8),
    c2    VARCHAR(8),
    c3    VARCHAR(8),
    c4    VARCHAR(8),
    c5    VARCHAR(8),
    c6    VARCHAR(8),
    c7    VARCHAR(8),
    c8    VARCHAR(8),
    c9    VARCHAR(8),
    c10   VARCHAR(8),
    c11   VARCHAR(8),
    c12   VARCHAR(8),
    c13   VARCHAR(8),
    c14   VARCHAR(8),
    c15   VARCHAR(8),
    c16   VARCHAR(8),
    c17   VARCHAR(8),
    c18   VARCHAR(8),
    c19   VARCHAR(8),
    c20   VARCHAR(8),
    c21   VARCHAR(8),
    c22   VARCHAR(8),
    c23   VARCHAR(8),
    c24   VARCHAR(8),
    c25   VARCHAR(8),
    c26   VARCHAR(8),
    PRIMARY KEY (impression_id)
) DISTKEY (impression_id) SORTKEY (label)
"""

DIM_CATEGORY = """
CREATE TABLE dim_category (
    category_key BIGINT IDENTITY(1, 1),
    feature      VARCHAR(3) NOT NULL,
    value        VARCHAR(8) NOT NULL,
    impressions  BIGINT     NOT NULL,
    clicks       BIGINT     NOT NULL,
    PRIMARY KEY (category_key)
) DISTSTYLE ALL SORTKEY (feature, value)
"""

MART_CTR_BY_CATEGORY = """
CREATE TABLE mart_ctr_by_category (
    feature     VARCHAR(3)  NOT NULL,
    value       VARCHAR(16) NOT NULL,
    impressions BIGINT      NOT NULL,
    clicks      BIGINT      NOT NULL,
    ctr         DOUBLE PRECISION NOT NULL,
    lift        DOUBLE PRECISION,
    PRIMARY KEY (feature, value)
) DISTSTYLE ALL SORTKEY (feature)
"""

MART_CTR_BY_INT_BUCKET = """
CREATE TABLE mart_ctr_by_int_bucket (
    feature      VARCHAR(3)  NOT NULL,
    bucket_label VARCHAR(16) NOT NULL,
    bucket       INTEGER,
    min_value    BIGINT,
    max_value    BIGINT,
    impressions  BIGINT      NOT NULL,
    clicks       BIGINT      NOT NULL,
    ctr          DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (feature, bucket_label)
) DISTSTYLE ALL SORTKEY (feature)
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
    ("staging_impression", STAGING_IMPRESSION),
    ("fact_impression", FACT_IMPRESSION),
    ("dim_category", DIM_CATEGORY),
    ("mart_ctr_by_category", MART_CTR_BY_CATEGORY),
    ("mart_ctr_by_int_bucket", MART_CTR_BY_INT_BUCKET),
    ("dwhkit_etl_log", DWHKIT_ETL_LOG),
]


def upgrade() -> None:
    for _, ddl in TABLES:
        execute_redshift(op, ddl)


def downgrade() -> None:
    for name, _ in reversed(TABLES):
        execute_redshift(op, f"DROP TABLE {name}")
