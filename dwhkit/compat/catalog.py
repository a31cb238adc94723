"""What the translator may ask of the database: the columns of a table and their types.

Why a protocol: Redshift's implicit conversions depend on column types (a VARCHAR expression
assigned to a NUMERIC column, a timestamp given to SUBSTRING). compat/ must not know the engine,
so a target hands the translator an object with this shape, bound to the session's connection."""
from __future__ import annotations

from typing import Protocol


class Catalog(Protocol):
    def columns(self, table: str, schema: str | None = None) -> dict[str, str] | None:
        """Lower-case column name → the engine's type name (e.g. ``numeric(18,0)``,
        ``timestamp without time zone``, ``character varying(256)``), in table order; None when
        no such table is visible (an unqualified name follows the session's search path)."""
