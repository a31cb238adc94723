"""What a warehouse is to dwhkit: its tables, where its landing data comes from, its steps and
checks — small named records instead of positional tuples, so a reader sees ``table.ddl``, not
``t[2]``."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ConfigError
from ..identifiers import quote_ident, quote_literal
from ..quality import Check


@dataclass(frozen=True)
class Table:
    """One table: its name, its zone (landing, trusted, curated, star, mart …), its Redshift DDL."""
    name: str
    zone: str
    ddl: str


@dataclass(frozen=True)
class Landing:
    """Where a landing table's data comes from: a key prefix under the lake and the COPY that
    loads it (a template: ``{source}`` is the prefix's URL, ``{auth}`` the authorisation)."""
    table: str
    prefix: str
    copy_template: str


@dataclass(frozen=True)
class Step:
    """One ETL step: Redshift statements run in one transaction. ``table``: the landing table a
    COPY step fills (None for a transform step)."""
    name: str
    zone: str
    statements: list[str]
    table: str | None = None


@dataclass(frozen=True)
class Warehouse:
    name: str
    tables: list[Table]
    landings: list[Landing]
    transform_steps: list[Step]
    reconciliation: list[tuple[str, str]] = field(default_factory=list)  # (flow, SQL giving (outcome, rows))
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
    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]

    @property
    def create_table_queries(self) -> list[str]:
        return [t.ddl.strip() for t in self.tables]

    @property
    def drop_table_queries(self) -> list[str]:
        prefix = "" if self.schema == "public" else f"{quote_ident(self.schema)}."
        return [f"DROP TABLE IF EXISTS {prefix}{t.name} CASCADE" for t in reversed(self.tables)]

    def copy_queries(self, lake: str, iam_role: str = "", region: str = "") -> list[tuple[str, str]]:
        """(table, COPY statement) for a lake (an s3:// prefix, or a local folder on Postgres targets).

        Values from config become SQL literals with quotes doubled, never raw text."""
        if not lake:
            raise ConfigError("no landing data: set [S3] lake in dwh.cfg, DWH_S3_LAKE, or pass --lake")
        base = lake if "://" in lake else Path(lake).expanduser().resolve().as_uri()
        auth = f"IAM_ROLE {quote_literal(iam_role)}" if iam_role else "IAM_ROLE default"
        if region:
            auth += f"\nREGION {quote_literal(region)}"
        out = []
        for landing in self.landings:
            source = quote_literal(f"{base.rstrip('/')}/{landing.prefix}")[1:-1]
            out.append((landing.table, landing.copy_template.format(source=source, auth=auth).strip()))
        return out
