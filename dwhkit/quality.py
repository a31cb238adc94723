"""Data-quality checks: each is one SQL query that counts violations (0 means it passes).

Redshift does not enforce primary or foreign keys, so the warehouse has to check them itself.
"""
from __future__ import annotations

from dataclasses import dataclass

from .identifiers import quote_ident


@dataclass(frozen=True)
class Check:
    name: str
    sql: str  # Redshift SQL returning one row with one count of violating rows


@dataclass(frozen=True)
class CheckResult:
    name: str
    violations: int

    @property
    def passed(self) -> bool:
        return self.violations == 0


def primary_key(table: str, columns: list[str]) -> Check:
    cols = ", ".join(quote_ident(c) for c in columns)
    not_null = " OR ".join(f"{quote_ident(c)} IS NULL" for c in columns)
    return Check(
        f"unique key: {table} ({', '.join(columns)})",
        f"SELECT (SELECT COUNT(*) FROM (SELECT {cols} FROM {quote_ident(table)} GROUP BY {cols} "
        f"HAVING COUNT(*) > 1) d) + (SELECT COUNT(*) FROM {quote_ident(table)} WHERE {not_null})",
    )


def foreign_key(table: str, column: str, ref_table: str, ref_column: str) -> Check:
    return Check(
        f"reference: {table}.{column} → {ref_table}.{ref_column}",
        f"SELECT COUNT(*) FROM {quote_ident(table)} t WHERE NOT EXISTS "
        f"(SELECT 1 FROM {quote_ident(ref_table)} r WHERE r.{quote_ident(ref_column)} = t.{quote_ident(column)})",
    )


def run_checks(cursor, checks: list[Check]) -> list[CheckResult]:
    results = []
    for check in checks:
        cursor.execute(check.sql)
        results.append(CheckResult(check.name, int(cursor.fetchone()[0] or 0)))
    return results
