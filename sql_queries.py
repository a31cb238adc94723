"""The STEDI warehouse in Amazon Redshift SQL, as the classic lists.

The statements live in dwhkit/warehouses/stedi/sql.py; this module exposes them the way course
projects do, so a classic loop works unchanged:

    import dwhkit
    from sql_queries import create_table_queries, copy_table_queries, insert_table_queries
    conn = dwhkit.connect(); cur = conn.cursor()
    for query in copy_table_queries + insert_table_queries:
        cur.execute(query); conn.commit()

``copy_table_queries`` is built on first use from dwh.cfg and the environment (never at import).
"""
from dwhkit.warehouses.stedi.sql import (  # noqa: F401  (the DDL, one string per table)
    ACCELEROMETER_TRUSTED, CUSTOMER_CURATED, CUSTOMER_TRUSTED, DEVICE_REGISTRATION_TRUSTED,
    DIM_CUSTOMER, DIM_DEVICE, DIM_TIME, FACT_ACCELEROMETER_READING, FACT_STEP_TRAINER_READING,
    MACHINE_LEARNING_CURATED, STAGING_ACCELEROMETER, STAGING_CUSTOMER, STAGING_STEP_TRAINER,
    STEP_TRAINER_TRUSTED, create_table_queries, drop_table_queries, insert_table_queries,
)


def copy_queries(lake: str | None = None, config=None) -> list[str]:
    """The COPY statements for ``lake`` (default: [S3] lake, else the generated sample)."""
    from dwhkit.app import resolve_lake, target_for
    from dwhkit.config import load_config
    from dwhkit.warehouses import get_warehouse

    config = (config or load_config()).with_overrides(warehouse="stedi")
    wh = get_warehouse("stedi")
    lake = resolve_lake(config, wh, lake, target_for(config))
    return [sql for _, sql in wh.copy_queries(lake, config.iam_role, config.s3_region)]


def __getattr__(name):
    if name == "copy_table_queries":
        return copy_queries()
    raise AttributeError(name)
