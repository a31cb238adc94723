"""Alembic environment for dwhkit: the target comes from dwhkit's config, never from alembic.ini.

Online, revisions run against the configured target (embedded default, any Postgres, or
Redshift: ./dwh.cfg or $DWH_CONFIG plus DWH_* variables). Offline (``--sql``) they print the
Redshift script verbatim, for a person to review and run on the cluster. There is no SQLAlchemy
model: the schema's one source is the Redshift DDL, and ``dwh migrate check`` compares
catalogs where ``alembic check`` would compare metadata.
"""
from logging.config import fileConfig

from alembic import context

from dwhkit import migrate
from dwhkit.config import load_config
from dwhkit.targets import get_target

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Each revision commits on its own: on a warehouse, a failure in revision N keeps 1..N-1.
COMMON = {"transaction_per_migration": True, "target_metadata": None}


def run_migrations_offline() -> None:
    """Emit the Redshift script (alembic_version bookkeeping included); connect to nothing."""
    context.configure(dialect_name="postgresql", literal_binds=True, dwh_translates=False, **COMMON)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    dwh_config = config.attributes.get("dwh_config") or load_config()
    target = get_target(dwh_config)
    engine = migrate.engine_for(target)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, dwh_translates=target.translates, **COMMON)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
