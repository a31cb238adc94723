"""Schema migrations: alembic revisions written in Redshift SQL, applied to any dwhkit target.

Why: ``create_tables`` drops everything, which is right for a laptop and wrong for a warehouse
holding years of data. Revisions carry frozen Redshift DDL; online they run translated on
Postgres targets and verbatim on Redshift, and offline (``--sql``) they print the Redshift script
for review. ``check`` keeps the revisions and the model (``warehouses/<name>/sql.py``, what
``create_tables`` builds) from drifting apart, comparing catalogs; ``alembic check`` and
``alembic revision --autogenerate`` compare the database with ``model_metadata`` (the model built
on a scratch database and reflected).

One revision graph per warehouse, each upgradable on its own: its own version location
(``migrations/versions`` for STEDI, the first one, whose ids 0001… stamped databases hold;
``migrations/<name>`` for the others), a branch label ``<name>`` on its first revision, and its own
version table in its own schema (STEDI's stays ``public.alembic_version``). Why separate graphs
rather than three branches of one: alembic's ``check`` and ``revision --autogenerate`` refuse to
run unless the database is at *every* head of the script directory, which a database holding one
warehouse (and that warehouse's version table) never is; and a plain ``alembic upgrade head``
stays unambiguous. Plain alembic picks a warehouse with ``-n <name>`` (sections of alembic.ini);
``dwh migrate`` with the configured warehouse.
"""
from __future__ import annotations

import io
from pathlib import Path

from .config import Config, load_config
from .errors import ConfigError, DwhError

ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_INI = ROOT / "alembic.ini"
SCRIPT_LOCATION = ROOT / "migrations"
# The warehouse whose revisions live in migrations/versions (and whose version table is
# public.alembic_version): STEDI, migrated before the others had revisions.
FIRST_WAREHOUSE = "stedi"


class SchemaDriftError(DwhError):
    """The schema the revisions build differs from the one ``create_tables`` builds."""


# -- the one helper revisions use ----------------------------------------------------------------
def execute_redshift(op, sql: str) -> None:
    """Run Redshift SQL from a revision: verbatim offline; online, as the target runs Redshift SQL
    (``dwh_native_sql``, the target's ``native_sql``, which migrations/env.py hands to alembic)."""
    from .compat import split_statements, to_postgres

    ctx = op.get_context()
    statements = [s.strip().rstrip(";").strip() for s in split_statements(sql)]
    statements = [s for s in statements if s]
    if ctx.as_sql:  # offline: the Redshift text itself, for a person to review and run
        for stmt in statements:
            ctx.impl.static_output(stmt + ";")
        return
    native_sql = ctx.opts.get("dwh_native_sql", to_postgres)
    conn = op.get_bind()
    for stmt in statements:
        for sent in native_sql(stmt):
            # no_parameters: a '%' or ':' in the SQL is text, never a placeholder
            conn.exec_driver_sql(sent, execution_options={"no_parameters": True})


# -- one revision graph per warehouse -------------------------------------------------------------
def version_location(warehouse: str, script_location: Path | str = SCRIPT_LOCATION) -> Path:
    """Where a warehouse's revisions live."""
    return Path(script_location) / ("versions" if warehouse == FIRST_WAREHOUSE else warehouse)


def version_table_schema(warehouse) -> str | None:
    """The schema of a warehouse's alembic_version (None: the search path's first, i.e. public)."""
    return None if warehouse.schema == "public" else warehouse.schema


def _warehouse(config: Config | None):
    from .warehouses import get_warehouse

    return get_warehouse((config or load_config()).warehouse)


def engine_for(target):
    """A SQLAlchemy engine for one migration run: the target's own, one connection, no pool."""
    from sqlalchemy.pool import NullPool

    return target.create_engine(poolclass=NullPool)


def _config_for_offline(config: Config | None) -> Config | None:
    """Offline needs only the warehouse's name: a config file that cannot be read means the default."""
    if config is not None:
        return config
    try:
        return load_config()
    except ConfigError:
        return None


def alembic_config(config: Config | None = None, output_buffer=None, warehouse: str | None = None):
    """An alembic Config for this project and one warehouse (``warehouse``, else the config's,
    else the default), carrying the dwhkit Config to migrations/env.py."""
    from alembic.config import Config as AlembicConfig

    if ALEMBIC_INI.is_file():
        cfg = AlembicConfig(str(ALEMBIC_INI), output_buffer=output_buffer)
    else:  # installed without the repository's alembic.ini
        cfg = AlembicConfig(output_buffer=output_buffer)
    name = warehouse or (config.warehouse if config is not None else Config(path=None).warehouse)
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.set_main_option("version_locations", str(version_location(name)))
    cfg.attributes["dwh_config"] = config
    cfg.attributes["dwh_warehouse"] = name
    cfg.attributes["configure_logger"] = False  # keep the caller's logging as it is
    return cfg


def _target_revision(name: str, revision: str) -> str:
    """``head``/``heads`` → ``<warehouse>@head``: this warehouse's branch, by its label."""
    return f"{name}@head" if revision in ("head", "heads") else revision


def upgrade(config: Config | None = None, revision: str = "head") -> None:
    from alembic import command

    config = config or load_config()
    command.upgrade(alembic_config(config), _target_revision(config.warehouse, revision))


def downgrade(config: Config | None = None, revision: str = "-1") -> None:
    from alembic import command

    config = config or load_config()
    command.downgrade(alembic_config(config), _target_revision(config.warehouse, revision))


def stamp(config: Config | None = None, revision: str = "head") -> None:
    """Record ``revision`` as applied without running it (a warehouse built by create_tables)."""
    from alembic import command

    config = config or load_config()
    command.stamp(alembic_config(config), _target_revision(config.warehouse, revision))


def current(config: Config | None = None) -> tuple[str, ...]:
    """The revisions the configured warehouse is at (empty: never migrated nor stamped)."""
    from alembic.runtime.migration import MigrationContext

    from .app import target_for

    config = config or load_config()
    opts = {"version_table_schema": version_table_schema(_warehouse(config))}
    engine = engine_for(target_for(config))
    try:
        with engine.connect() as conn:
            return tuple(MigrationContext.configure(conn, opts=opts).get_current_heads())
    finally:
        engine.dispose()


def _script(config: Config | None):
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(_config_for_offline(config)))


def heads(config: Config | None = None) -> tuple[str, ...]:
    """The head revision(s) of the configured warehouse (one, unless someone branched it)."""
    return tuple(_script(config).get_heads())


def history(config: Config | None = None) -> list[tuple[str, str]]:
    """(revision, message) of the configured warehouse, oldest first."""
    script = _script(config)
    return [(s.revision, s.doc) for s in reversed(list(script.walk_revisions()))]


def offline_sql(revision: str = "head", downgrade_: bool = False, config: Config | None = None) -> str:
    """The Redshift script for ``revision`` (e.g. ``head`` or ``0001:0002``) of the configured
    warehouse, for review. Connects to nothing (the config only names the warehouse)."""
    from alembic import command

    config = _config_for_offline(config)
    name = config.warehouse if config is not None else Config(path=None).warehouse
    buf = io.StringIO()
    cfg = alembic_config(config, output_buffer=buf, warehouse=name)
    if ":" in revision:
        start, _, end = revision.partition(":")
        revision = f"{start}:{_target_revision(name, end)}"
    else:
        revision = _target_revision(name, revision)
    (command.downgrade if downgrade_ else command.upgrade)(cfg, revision, sql=True)
    return buf.getvalue()


def _describe(attrs: dict) -> str:
    text = attrs["type"] + ("" if attrs["nullable"] else " NOT NULL")
    if attrs["default"] is not None:
        text += f" DEFAULT {attrs['default']}"
    if attrs["identity"]:
        text += f" GENERATED {attrs['identity']} AS IDENTITY {attrs.get('sequence')}"
    return text


def diff_snapshots(migrations: dict, model: dict) -> list[str]:
    """One readable line per difference ("in migrations" vs "in the model")."""
    problems = []
    for name in sorted(set(migrations) | set(model)):
        a, b = migrations.get(name), model.get(name)
        if a is None or b is None:
            problems.append(f"{name}: table only in {'the model' if a is None else 'the migrations'}")
            continue
        if (a["kind"], a["view"]) != (b["kind"], b["view"]):
            problems.append(f"{name}: relation kind/definition differs")
        cols_a, cols_b = dict(a["columns"]), dict(b["columns"])
        for col in [c for c, _ in a["columns"]] + [c for c, _ in b["columns"] if c not in cols_a]:
            if col not in cols_b:
                problems.append(f"{name}.{col}: only in the migrations ({_describe(cols_a[col])})")
            elif col not in cols_a:
                problems.append(f"{name}.{col}: only in the model ({_describe(cols_b[col])})")
            elif cols_a[col] != cols_b[col]:
                problems.append(f"{name}.{col}: {_describe(cols_a[col])} in the migrations, "
                                f"{_describe(cols_b[col])} in the model")
        order_a = [c for c, _ in a["columns"] if c in cols_b]
        order_b = [c for c, _ in b["columns"] if c in cols_a]
        if order_a != order_b:
            problems.append(f"{name}: column order differs: migrations ({', '.join(order_a)}), "
                            f"model ({', '.join(order_b)})")
        for kind in ("constraints", "indexes"):
            for key in sorted(set(a[kind]) | set(b[kind])):
                if a[kind].get(key) != b[kind].get(key):
                    problems.append(f"{name}: {kind[:-1] if kind == 'constraints' else 'index'} {key}: "
                                    f"{a[kind].get(key) or 'absent'} in the migrations, "
                                    f"{b[kind].get(key) or 'absent'} in the model")
    return problems


# -- the model, built for real --------------------------------------------------------------------
def model_metadata(config: Config | None = None):
    """The configured warehouse's model as SQLAlchemy MetaData, for ``alembic check`` and
    ``alembic revision --autogenerate``: its Redshift DDL built by ``create_tables`` (through the
    translator) on a scratch database, and the warehouse's schema reflected. Tables carry no
    schema: autogenerate compares them with the connection's default schema, the warehouse's.

    Why reflect rather than declare: the one source of the schema is the Redshift DDL; a second
    model in SQLAlchemy would drift from it. What Postgres does not keep (DISTKEY, SORTKEY,
    ENCODE) is not compared here; the table comment that records them is."""
    import sqlalchemy as sa

    from .app import create_tables, target_for

    config = config or load_config()
    with target_for(config).scratch_databases(config, "model") as dbs:
        create_tables(dbs["model"])
        engine = engine_for(target_for(dbs["model"]))
        try:
            metadata = sa.MetaData()
            with engine.connect() as conn:
                metadata.reflect(bind=conn)
        finally:
            engine.dispose()
    return metadata


# -- the model check ------------------------------------------------------------------------------
def check(config: Config | None = None) -> None:
    """Build head on one scratch database and ``create_tables`` on another; raise on any difference.

    Both scratch databases live on the configured Postgres server (embedded by default) and are
    dropped afterwards. Like ``alembic check``, for the configured warehouse, but comparing
    catalogs (column order, identity sequences, defaults, views) where alembic compares metadata."""
    from .app import create_tables, target_for

    config = config or load_config()
    with target_for(config).scratch_databases(config, "head", "model") as dbs:
        upgrade(dbs["head"], "head")
        create_tables(dbs["model"])
        snaps = {role: target_for(scratch).schema_snapshot() for role, scratch in dbs.items()}
    problems = diff_snapshots(snaps["head"], snaps["model"])
    if problems:
        raise SchemaDriftError(
            f"the migrations (alembic head of {config.warehouse}) and the model (create_tables) build different "
            "schemas; write a revision for the change (`alembic revision -m '...'`, DDL in Redshift SQL):\n  "
            + "\n  ".join(problems))
