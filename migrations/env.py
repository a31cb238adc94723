"""Alembic environment for dwhkit: the target comes from dwhkit's config, never from alembic.ini.

Online, revisions run against the configured target (embedded default, any Postgres, or
Redshift: ./dwh.cfg or $DWH_CONFIG plus DWH_* variables). Offline (``--sql``) they print the
Redshift script verbatim, for a person to review and run on the cluster.

One warehouse per run: ``dwh migrate`` passes the configured one; plain alembic takes it from the
alembic.ini section (``alembic -n energy …``; the default ``[alembic]`` section is STEDI's). Its
tables live in its own schema, and so does its version table (STEDI's: public.alembic_version).

``target_metadata`` (for ``alembic check`` and ``alembic revision --autogenerate``) is the
warehouse's Redshift DDL built by create_tables on a scratch database and reflected
(dwhkit.migrate.model_metadata) — built only when a command compares, not for upgrades.
``dwh migrate check`` stays the stricter catalog-level comparison.
"""
from logging.config import fileConfig

from alembic import context

from dwhkit import migrate
from dwhkit.app import target_for
from dwhkit.config import load_config
from dwhkit.errors import ConfigError
from dwhkit.identifiers import quote_ident
from dwhkit.warehouses import get_warehouse, warehouse_names

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _warehouse_name(dwh_config) -> str:
    """``dwh migrate``'s choice, else the alembic.ini section's (``-n energy``), else STEDI's
    default section — which must then be the warehouse the config selects: its revisions are
    the only ones this run can see."""
    chosen = config.attributes.get("dwh_warehouse")
    if chosen:
        return chosen
    section = config.config_ini_section
    if section in warehouse_names():
        return section
    if dwh_config is not None and dwh_config.warehouse != migrate.FIRST_WAREHOUSE:
        raise ConfigError(f"the config selects the {dwh_config.warehouse} warehouse, whose revisions are in "
                          f"alembic.ini's [{dwh_config.warehouse}] section: alembic -n {dwh_config.warehouse} …")
    return migrate.FIRST_WAREHOUSE


def _compares() -> bool:
    """True for the commands that compare the database with target_metadata (check, revision
    --autogenerate): alembic hands them a revision_context, which lands in the context's opts."""
    return context.get_context().opts.get("revision_context") is not None


def _not_a_version_table(name, type_, parent_names) -> bool:
    """Autogenerate compares the default schema, where a warehouse's own version table is seen
    without its schema name, so alembic's own exclusion (by schema and name) misses it."""
    return not (type_ == "table" and name == "alembic_version")


def _options(warehouse) -> dict:
    # Each revision commits on its own: on a warehouse, a failure in revision N keeps 1..N-1.
    return {"transaction_per_migration": True, "version_table_schema": migrate.version_table_schema(warehouse),
            "include_name": _not_a_version_table}


def _preamble(warehouse, set_search_path: bool = True) -> list[str]:
    """The warehouse's schema, before alembic creates its version table there; and, in the offline
    script, the search path, so the revisions' unqualified names land in it (online, the
    target's connections already put the warehouse's schema first)."""
    if warehouse.schema == "public":
        return []
    schema = quote_ident(warehouse.schema)
    return [f"CREATE SCHEMA IF NOT EXISTS {schema}"] + ([f"SET search_path TO {schema}"] if set_search_path else [])


def run_migrations_offline() -> None:
    """Emit the Redshift script (alembic_version bookkeeping included); connect to nothing."""
    try:
        dwh_config = config.attributes.get("dwh_config") or load_config()
    except ConfigError:  # offline needs no target; the section (or the default) names the warehouse
        dwh_config = None
    warehouse = get_warehouse(_warehouse_name(dwh_config))
    context.configure(dialect_name="postgresql", literal_binds=True,
                      target_metadata=None, **_options(warehouse))
    for stmt in _preamble(warehouse):
        context.get_context().impl.static_output(stmt + ";")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    dwh_config = config.attributes.get("dwh_config") or load_config()
    name = _warehouse_name(dwh_config)
    dwh_config = dwh_config.with_overrides(warehouse=name)
    warehouse = get_warehouse(name)
    target = target_for(dwh_config)
    engine = migrate.engine_for(target)
    try:
        with engine.connect() as connection:
            for stmt in _preamble(warehouse, set_search_path=False):
                connection.exec_driver_sql(stmt)
            connection.commit()
            options = dict(connection=connection, dwh_native_sql=target.native_sql, **_options(warehouse))
            context.configure(target_metadata=None, **options)
            if _compares():  # the model, built only for the commands that compare with it
                context.configure(target_metadata=migrate.model_metadata(dwh_config), **options)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
