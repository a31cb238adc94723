"""dwhkit_etl_log.status, .error and .lake: failed runs are logged, and what each run read

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Why: `dwh report` says when the run happened, which lake it read and whether the latest attempt
failed (and at which step, with what error); a failed run is now written to the log instead of
vanishing. Rows logged before this revision are runs that succeeded, so status defaults to 'ok'.
Redshift's ADD COLUMN takes one column per statement and appends it, where the model
(ETL_LOG_DDL in dwhkit/pipeline.py) declares these columns. Frozen Redshift SQL.
"""
from alembic import op

from dwhkit.migrate import execute_redshift

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE dwhkit_etl_log ADD COLUMN status VARCHAR(16) DEFAULT 'ok';
ALTER TABLE dwhkit_etl_log ADD COLUMN error VARCHAR(1024);
ALTER TABLE dwhkit_etl_log ADD COLUMN lake VARCHAR(1024)
"""

DOWNGRADE = """
ALTER TABLE dwhkit_etl_log DROP COLUMN lake;
ALTER TABLE dwhkit_etl_log DROP COLUMN error;
ALTER TABLE dwhkit_etl_log DROP COLUMN status
"""


def upgrade() -> None:
    execute_redshift(op, UPGRADE)


def downgrade() -> None:
    execute_redshift(op, DOWNGRADE)
