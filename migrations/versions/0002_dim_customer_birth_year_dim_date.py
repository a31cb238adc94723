"""dim_customer.birth_year (backfilled from birthday) and dim_date, a day-grain calendar

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Data kept: the column is added at the end of dim_customer (where Redshift's ADD COLUMN puts
it, and where the model declares it) and filled from the cleaned birthday already there; the
calendar is filled from dim_time. Frozen Redshift SQL, matching dwhkit/warehouses/stedi/sql.py
as of this revision (DIM_CUSTOMER, DIM_DATE, DIM_CUSTOMER_MERGE, DIM_DATE_MERGE).
"""
from alembic import op

from dwhkit.migrate import execute_redshift

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ADD_BIRTH_YEAR = """
ALTER TABLE dim_customer ADD COLUMN birth_year SMALLINT
"""

BACKFILL_BIRTH_YEAR = """
UPDATE dim_customer
SET birth_year = EXTRACT(year FROM birthday)
WHERE birthday IS NOT NULL
"""

DIM_DATE = """
CREATE TABLE dim_date (
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

FILL_DIM_DATE = """
INSERT INTO dim_date (date_key, day, week, month, quarter, year, weekday)
SELECT d.date_key,
       EXTRACT(day FROM d.date_key), EXTRACT(week FROM d.date_key), EXTRACT(month FROM d.date_key),
       EXTRACT(quarter FROM d.date_key), EXTRACT(year FROM d.date_key), DATE_PART(dow, d.date_key)
FROM (SELECT DISTINCT CAST(time_key AS DATE) AS date_key FROM dim_time) d
WHERE NOT EXISTS (SELECT 1 FROM dim_date x WHERE x.date_key = d.date_key)
"""


def upgrade() -> None:
    for sql in (ADD_BIRTH_YEAR, BACKFILL_BIRTH_YEAR, DIM_DATE, FILL_DIM_DATE):
        execute_redshift(op, sql)


def downgrade() -> None:
    execute_redshift(op, "DROP TABLE dim_date")
    execute_redshift(op, "ALTER TABLE dim_customer DROP COLUMN birth_year")
