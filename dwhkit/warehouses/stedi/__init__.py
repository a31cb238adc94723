"""STEDI Human Balance Analytics: customer, accelerometer and step-trainer records,
landing → trusted → curated, a star schema and the machine-learning table."""
from ...warehouse import Warehouse
from . import sql
from .checks import CHECKS, RECONCILIATION
from .sample import generate_sample

WAREHOUSE = Warehouse(
    name="stedi",
    tables=sql.TABLES,
    sources=[
        ("staging_customer", "customer/customer-", sql.COPY_CUSTOMER),
        ("staging_accelerometer", "accelerometer/accelerometer-", sql.COPY_ACCELEROMETER),
        ("staging_step_trainer", "step_trainer/step_trainer-", sql.COPY_STEP_TRAINER),
    ],
    transform_steps=sql.TRANSFORM_STEPS,
    reconciliation=RECONCILIATION,
    checks=CHECKS,
    generate_sample=generate_sample,
    description="STEDI Human Balance Analytics",
)
