"""Data-quality checks: each is one SQL query that counts violations (0 means it passes).

Redshift does not enforce primary or foreign keys, so the warehouse has to check them itself.
"""
from __future__ import annotations

from dataclasses import dataclass

from .identifiers import quote_ident


@dataclass(frozen=True)
class Check:
    """``sql``: Redshift SQL returning one row; ``column``: which of its values is this check's count
    of violating rows. Checks with the same ``sql`` are answered by one execution of it: two checks
    that need the same expensive relation (an aggregate of a large fact) read it once."""
    name: str
    sql: str
    column: int = 0


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


def distinct_queries(checks: list[Check]) -> list[str]:
    """Each query the checks need, once, in the order the checks first name it."""
    return list(dict.fromkeys(check.sql for check in checks))


def results_of(checks: list[Check], rows: dict[str, tuple]) -> list[CheckResult]:
    """The checks' results from each distinct query's one row (``rows``: sql → row)."""
    return [CheckResult(check.name, int(rows[check.sql][check.column] or 0)) for check in checks]


def run_checks(cursor, checks: list[Check]) -> list[CheckResult]:
    rows = {}
    for sql in distinct_queries(checks):
        cursor.execute(sql)
        rows[sql] = cursor.fetchone()
    return results_of(checks, rows)
