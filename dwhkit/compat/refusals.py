"""Statements Redshift refuses and Postgres 15 runs: refused here with Redshift's own words, so a
script that works on dwhkit does not fail later on the cluster.

Each rule cites the page whose example shows Redshift's error.
"""
from __future__ import annotations

from sqlglot import exp

from dwhkit.errors import TranslateError


def is_boolean_in_select_list(tree: exp.Expr) -> None:
    """r_Boolean_type: ``SELECT likerock IS TRUE AS "check"`` fails on Redshift with
    "Invalid operation: Not implemented" (the page's example; ``likerock = TRUE`` is the documented
    alternative). IS TRUE / IS FALSE in WHERE and elsewhere stay valid.
    AMBIG: the page shows a bare select item; only that is refused — an IS TRUE nested in a select
    item's expression (CASE WHEN x IS TRUE …) is left to run, never made to fail on a guess."""
    for select in tree.find_all(exp.Select):
        for proj in select.expressions:
            item = proj.this if isinstance(proj, exp.Alias) else proj
            item = item.this if isinstance(item, exp.Not) else item
            if isinstance(item, exp.Is) and isinstance(item.expression, exp.Boolean):
                raise TranslateError("Invalid operation: Not implemented (IS TRUE / IS FALSE in the select "
                                     "list; Redshift accepts = TRUE there)")


def subqueries_in_multi_row_values(tree: exp.Expr) -> None:
    """c_Examples_of_INSERT_30: ``INSERT … VALUES ((SELECT …)), ((SELECT …))`` fails on Redshift
    with "can't use subqueries in multi-row VALUES"; one row of VALUES may hold a subquery."""
    for values in tree.find_all(exp.Values):
        if not isinstance(values.parent, exp.Insert):
            continue
        rows = values.expressions
        if len(rows) > 1 and any(row.find(exp.Subquery, exp.Select) for row in rows):
            raise TranslateError("can't use subqueries in multi-row VALUES")


def check(tree: exp.Expr) -> None:
    is_boolean_in_select_list(tree)
    subqueries_in_multi_row_values(tree)
