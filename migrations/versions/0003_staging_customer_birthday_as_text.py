"""staging_customer.birthday lands as text (VARCHAR(32)), not DATE

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

The model changed (dwhkit/warehouses/stedi/sql.py): v2023 holds birthdays such as '993-01-01'
that a DATE column rejects, taking the whole customer record with it; the trusted zone now
parses the text. Redshift cannot ALTER a DATE column to VARCHAR, so this is Redshift's deep
copy: a new table with the new DDL, the rows copied, the old table dropped, the new one renamed.
It keeps the rows and the column order. Downgrading turns text that is not YYYY-MM-DD into NULL.
"""
from alembic import op

from dwhkit.migrate import execute_redshift

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ("customername, email, phone, birthday, serialnumber, registrationdate, lastupdatedate, "
           "sharewithresearchasofdate, sharewithpublicasofdate, sharewithfriendsasofdate")


def _deep_copy(birthday_type: str, birthday_expr: str) -> str:
    return f"""
CREATE TABLE staging_customer_new (
    customername              VARCHAR(256),
    email                     VARCHAR(256),
    phone                     VARCHAR(32),
    birthday                  {birthday_type},
    serialnumber              VARCHAR(64),
    registrationdate          TIMESTAMP,
    lastupdatedate            TIMESTAMP,
    sharewithresearchasofdate TIMESTAMP,
    sharewithpublicasofdate   TIMESTAMP,
    sharewithfriendsasofdate  TIMESTAMP
) DISTSTYLE ALL;

INSERT INTO staging_customer_new ({COLUMNS})
SELECT customername, email, phone, {birthday_expr}, serialnumber, registrationdate, lastupdatedate,
       sharewithresearchasofdate, sharewithpublicasofdate, sharewithfriendsasofdate
FROM staging_customer;

DROP TABLE staging_customer;

ALTER TABLE staging_customer_new RENAME TO staging_customer
"""


UPGRADE = _deep_copy("VARCHAR(32)", "CAST(birthday AS VARCHAR(32))")
DOWNGRADE = _deep_copy("DATE", "CASE WHEN birthday ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN CAST(birthday AS DATE) END")


def upgrade() -> None:
    execute_redshift(op, UPGRADE)


def downgrade() -> None:
    execute_redshift(op, DOWNGRADE)
