"""Criteo display advertising: impressions with a click label, 13 integer and 26 hashed
categorical features, landed from gzip'd TSV (by COPY, or continuously by a COPY JOB) into a
star schema and click-through-rate marts."""
from ..model import Landing, Warehouse
from . import sql
from .checks import CHECKS, RECONCILIATION
from .sample import KEY_PREFIX, generate_sample

WAREHOUSE = Warehouse(
    name="criteo",
    tables=sql.TABLES,
    landings=[Landing("staging_impression", KEY_PREFIX, sql.COPY_IMPRESSION)],
    transform_steps=sql.TRANSFORM_STEPS,
    reconciliation=RECONCILIATION,
    checks=CHECKS,
    generate_sample=generate_sample,
    description="Criteo display-advertising clicks",
    schema="criteo",
)
