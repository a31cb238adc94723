"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

Write the DDL in Redshift SQL and paste it in (a frozen snapshot: never import it from
dwhkit/warehouses/*/sql.py, which moves on); change that model in the same commit so that
`dwh migrate check` and `alembic check` pass. With --autogenerate, alembic drafts the change
below as operations, from the database compared with the model (its Redshift DDL built and
reflected): review them — they run on every target, but know nothing of DISTKEY, SORTKEY or
ENCODE; for those (or a deep copy) put the Redshift SQL in UPGRADE/DOWNGRADE instead.
"""
from alembic import op
% if upgrades and "sa." in (upgrades or "") + (downgrades or ""):
import sqlalchemy as sa
% endif
${imports if imports else ""}
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
% if upgrades and upgrades.strip().splitlines()[1:2] != ["pass"]:
    ${upgrades}
% endif


def downgrade() -> None:
% if downgrades and downgrades.strip().splitlines()[1:2] != ["pass"]:
    ${downgrades}
% endif
    execute_redshift(op, DOWNGRADE)
