"""STEDI Human Balance Analytics: customer, accelerometer and step-trainer records,
landing → trusted → curated, a star schema and the machine-learning table."""
from __future__ import annotations

import dataclasses

from ..model import Landing, Warehouse
from . import sql
from .checks import checks_for, reconciliation_for
from .sample import generate_sample


@dataclasses.dataclass(frozen=True)
class StediWarehouse(Warehouse):
    """The STEDI warehouse under one consent scope ([STEDI] consent_scope)."""

    consent_scope: str = sql.DEFAULT_CONSENT_SCOPE

    def with_scope(self, scope: str) -> "StediWarehouse":
        """The same warehouse whose steps, reconciliation and checks follow ``scope``."""
        if scope not in sql.CONSENT_SCOPES:
            raise ValueError(f"unknown consent scope {scope!r}; known: {', '.join(sql.CONSENT_SCOPES)}")
        return dataclasses.replace(self, consent_scope=scope, transform_steps=sql.transform_steps(scope),
                                   reconciliation=reconciliation_for(scope), checks=checks_for(scope))

    def bind(self, config) -> "StediWarehouse":
        """This warehouse as ``config`` sets it up (the edge chooses once and hands it down)."""
        return self.with_scope(config.stedi_consent_scope)


WAREHOUSE = StediWarehouse(
    name="stedi",
    tables=sql.TABLES,
    landings=[
        Landing("staging_customer", "customer/customer-", sql.COPY_CUSTOMER),
        Landing("staging_accelerometer", "accelerometer/accelerometer-", sql.COPY_ACCELEROMETER),
        Landing("staging_step_trainer", "step_trainer/step_trainer-", sql.COPY_STEP_TRAINER),
    ],
    transform_steps=sql.transform_steps(),
    reconciliation=reconciliation_for(),
    checks=checks_for(),
    generate_sample=generate_sample,
    description="STEDI Human Balance Analytics",
)
