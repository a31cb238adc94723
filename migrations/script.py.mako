"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

Write the DDL in Redshift SQL and paste it in (a frozen snapshot: never import it from
dwhkit/warehouses/*/sql.py, which moves on); change that model in the same commit so that
`dwh migrate check` passes.
"""
from alembic import op

from dwhkit.migrate import execute_redshift

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}

UPGRADE = """
"""

DOWNGRADE = """
"""


def upgrade() -> None:
    execute_redshift(op, UPGRADE)


def downgrade() -> None:
    execute_redshift(op, DOWNGRADE)
