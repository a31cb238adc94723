"""What a warehouse is to dwhkit: its tables, where its landing data comes from, its steps and
checks. Each warehouse lives in one folder under ``dwhkit/warehouses/``; adding one is one folder."""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import ConfigError
from .identifiers import quote_ident, quote_literal
from .quality import Check


@dataclass(frozen=True)
class Warehouse:
    name: str
    tables: list[tuple[str, str, str]]              # (table, zone, Redshift DDL)
    sources: list[tuple[str, str, str]]             # (table, key prefix under the lake, COPY template)
    transform_steps: list[tuple[str, str, list[str]]]  # (step, zone, Redshift statements)
    reconciliation: list[tuple[str, str]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    generate_sample: Callable[[Path], Path] | None = None
    description: str = ""
    # Each warehouse keeps its tables in its own schema (on the search path of its connections),
    # so two warehouses may both have a dim_time; the first one, STEDI, lives in public.
    schema: str = "public"

    def bind(self, config) -> "Warehouse":
        """This warehouse with the settings of ``config`` that change its SQL (none by default;
        STEDI's consent scope does)."""
        return self

    @property
    def create_table_queries(self) -> list[str]:
        return [ddl.strip() for _, _, ddl in self.tables]

    @property
    def drop_table_queries(self) -> list[str]:
        prefix = "" if self.schema == "public" else f"{quote_ident(self.schema)}."
        return [f"DROP TABLE IF EXISTS {prefix}{name} CASCADE" for name, _, _ in reversed(self.tables)]

    def copy_queries(self, lake: str, iam_role: str = "", region: str = "") -> list[tuple[str, str]]:
        """The COPY statements for a lake (an s3:// prefix, or a local folder on Postgres targets).

        Values from config become SQL literals with quotes doubled, never raw text."""
        if not lake:
            raise ConfigError("no landing data: set [S3] lake in dwh.cfg, DWH_S3_LAKE, or pass --lake")
        base = lake if "://" in lake else Path(lake).expanduser().resolve().as_uri()
        auth = f"IAM_ROLE {quote_literal(iam_role)}" if iam_role else "IAM_ROLE default"
        if region:
            auth += f"\nREGION {quote_literal(region)}"
        out = []
        for table, key_prefix, template in self.sources:
            source = quote_literal(f"{base.rstrip('/')}/{key_prefix}")[1:-1]
            out.append((table, template.format(source=source, auth=auth).strip()))
        return out


def warehouse_names() -> list[str]:
    """Every folder under dwhkit/warehouses/ is a warehouse."""
    from . import warehouses

    return sorted(m.name for m in pkgutil.iter_modules(warehouses.__path__) if m.ispkg)


def get_warehouse(name: str) -> Warehouse:
    names = warehouse_names()
    if name not in names:
        raise ConfigError(f"unknown warehouse {name!r}; known: {', '.join(names)}")
    module = importlib.import_module(f"dwhkit.warehouses.{name}")
    return module.WAREHOUSE
