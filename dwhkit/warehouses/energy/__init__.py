"""London smart meters (Low Carbon London, 2011–2014): half-hourly readings of households with
their tariff and ACORN group, London weather, UK bank holidays and 2013's time-of-use prices;
a star schema at the half-hour grain and marts for demand forecasting and anomaly detection."""
from ..model import Warehouse
from . import marts, sql
from .checks import CHECKS, RECONCILIATION
from .sample import generate_sample

WAREHOUSE = Warehouse(
    name="energy",
    tables=sql.TABLES + marts.TABLES,
    landings=sql.LANDINGS,
    transform_steps=sql.STAR_STEPS + marts.MART_STEPS,
    reconciliation=RECONCILIATION,
    checks=CHECKS,
    generate_sample=generate_sample,
    description="London smart-meter energy",
    schema="energy",
)
