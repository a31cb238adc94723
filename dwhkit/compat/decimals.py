"""The precision and scale of computed DECIMAL results, as Redshift types them.

r_numeric_computations201 (https://docs.aws.amazon.com/redshift/latest/dg/r_numeric_computations201.html):
- division of DECIMALs (an INTEGER operand counts as DECIMAL(5,0) / (10,0) / (19,0) by size) is
  DECIMAL(p1 - s1 + s2 + scale, scale) with scale = max(4, s1 + p2 - s2 + 1) — the page's example:
  DECIMAL(8,2) / DECIMAL(8,2) is DECIMAL(17,9). A precision over 38 becomes 38 and the scale
  max(38 + scale - precision, 4). PostgreSQL divides to at least 16 significant digits instead
  (728.00 / 109.20 prints 6.6666666666666667 where Redshift prints 6.666666667).
- +, - and * already get Redshift's scale in PostgreSQL (max(s1, s2); s1 + s2), so they are left.
r_SIGN: SIGN of a DECIMAL is NUMERIC(1,0). UNION/INTERSECT/EXCEPT of DECIMAL columns of different
precision or scale get the page's common type (set_operations).
r_AVG: AVG of a DECIMAL has "the scale of the argument" (precision 38); the pivot page's example
prints AVG 2.71666… of DECIMAL(12,2) prices as 2.71, so the digits past the scale are cut, not rounded.

Where an operand's precision and scale are not known (an untyped literal, an expression the
statement does not type), the expression is left as PostgreSQL computes it.
"""
from __future__ import annotations

import re

from sqlglot import exp

from dwhkit.compat.scope import Scope, category

_INTEGER_AS_DECIMAL = {"smallint": (5, 0), "int2": (5, 0), "integer": (10, 0), "int": (10, 0), "int4": (10, 0),
                       "bigint": (19, 0), "int8": (19, 0)}
_NUMERIC = re.compile(r"^(?:numeric|decimal)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$", re.I)


def precision_scale(type_name: str | None) -> tuple[int, int] | None:
    """(p, s) of a DECIMAL type with a typmod, or of an integer type as the page casts it."""
    if not type_name:
        return None
    t = type_name.strip().lower()
    if t in _INTEGER_AS_DECIMAL:
        return _INTEGER_AS_DECIMAL[t]
    m = _NUMERIC.match(t)
    if m:
        return int(m.group(1)), int(m.group(2) or 0)
    return None


def _operand(node: exp.Expr, scope: Scope) -> tuple[int, int] | None:
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
        return (10, 0) if int(node.this) <= 2**31 - 1 else (19, 0)  # an integer literal is an INT4/INT8
    return precision_scale(scope.type_of(node))


def division_type(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    (p1, s1), (p2, s2) = a, b
    scale = max(4, s1 + p2 - s2 + 1)
    precision = p1 - s1 + s2 + scale
    if precision > 38:
        scale, precision = max(38 + scale - precision, 4), 38
    return precision, min(scale, 37)


def _numeric(p: int, s: int) -> exp.DataType:
    return exp.DataType.build(f"NUMERIC({p}, {s})", dialect="postgres")


def _replace_keeping_name(node: exp.Expr, new: exp.Expr, name: str) -> None:
    """Replace ``node``; a bare select item keeps the column name PostgreSQL would have given it
    (a CAST would be named "numeric")."""
    if isinstance(node.parent, exp.Select) and node.arg_key == "expressions":
        new = exp.alias_(new, name, quoted=True)
    node.replace(new)


def divisions(tree: exp.Expr, scope: Scope) -> None:
    for node in sorted(tree.find_all(exp.Div), key=lambda n: -_depth(n)):
        kinds = {category(scope.type_of(node.this)), category(scope.type_of(node.expression))}
        if "decimal" not in kinds:
            continue  # integer division, or floats: not DECIMAL results
        a, b = _operand(node.this, scope), _operand(node.expression, scope)
        if a is None or b is None:
            continue
        p, s = division_type(a, b)
        _replace_keeping_name(node, exp.Cast(this=node.copy(), to=_numeric(p, s)), "?column?")


def averages(tree: exp.Expr, scope: Scope) -> None:
    for node in list(tree.find_all(exp.Avg)):
        if isinstance(node.this, exp.Distinct) or isinstance(node.parent, exp.Window):
            continue
        ps = precision_scale(scope.type_of(node.this))
        if ps is None or category(scope.type_of(node.this)) != "decimal":
            continue
        target = node.parent if isinstance(node.parent, exp.Filter) else node  # AVG(x) FILTER (…), from PIVOT
        cut = exp.Anonymous(this="TRUNC", expressions=[target.copy(), exp.Literal.number(ps[1])])
        _replace_keeping_name(target, exp.Cast(this=cut, to=_numeric(38, ps[1])), "avg")


def signs(tree: exp.Expr, scope: Scope) -> None:
    """r_SIGN: "The output type is numeric(1, 0) for a numeric input" (PostgreSQL: NUMERIC of the
    argument's scale, -1.00 / 1.00); double precision stays double precision."""
    for node in list(tree.find_all(exp.Sign)):
        if category(scope.type_of(node.this)) == "decimal":
            _replace_keeping_name(node, exp.Cast(this=node.copy(), to=_numeric(1, 0)), "sign")


def _branches(node: exp.Expr) -> list[exp.Expr]:
    if isinstance(node, (exp.Union, exp.Intersect, exp.Except)):
        return _branches(node.this) + _branches(node.expression)
    if isinstance(node, exp.Subquery):
        return _branches(node.this)
    return [node]


def set_operations(tree: exp.Expr, scope: Scope) -> None:
    """r_numeric_computations201: a column of DECIMALs of different precision or scale in UNION,
    INTERSECT, EXCEPT is DECIMAL(min(max(p1 - s1, p2 - s2) + scale, 19), max(s1, s2)) — the page's
    DECIMAL(7,2) UNION DECIMAL(15,3) is NUMERIC(15,3); PostgreSQL makes it a NUMERIC without
    precision and scale (seen by CREATE TABLE AS)."""
    tops = [n for n in tree.find_all(exp.Union, exp.Intersect, exp.Except)
            if not isinstance(n.parent, (exp.Union, exp.Intersect, exp.Except))]
    for top in tops:
        selects = _branches(top)
        if not all(isinstance(q, exp.Select) for q in selects):
            continue
        lists = [scope.expand_star(q) for q in selects]
        if any(items is None for items in lists) or len({len(items) for items in lists}) != 1:
            continue
        originals = [list(q.expressions) for q in selects]
        for select, items in zip(selects, lists):
            select.set("expressions", items)  # in the tree: a column's type is looked up from its query
        targets: dict[int, tuple[int, int]] = {}
        for i in range(len(lists[0])):
            kinds = {category(scope.type_of(items[i])) for items in lists}
            types = [precision_scale(scope.type_of(items[i])) for items in lists]
            if kinds != {"decimal"} or None in types or len(set(types)) == 1:
                continue
            scale = max(s for _, s in types)
            targets[i] = (min(max(p - s for p, s in types) + scale, 19), scale)
        if not targets:
            for select, items in zip(selects, originals):
                select.set("expressions", items)
            continue
        for select, items in zip(selects, lists):
            select.set("expressions", [
                exp.alias_(exp.Cast(this=(item.this if isinstance(item, exp.Alias) else item).copy(),
                                    to=_numeric(*targets[i])), item.alias_or_name, quoted=True)
                if i in targets else item
                for i, item in enumerate(items)])


_INT64_MAX = 9223372036854775807


def column_ranges(tree: exp.Expr) -> exp.Expr:
    """r_Numeric_types201: DECIMALs of up to 19 digits are stored as 64-bit integers, so "the
    maximum positive value that you can insert into a DECIMAL(19,0) column is 9223372036854775807"
    (-9223372036854775807 the least), and a DECIMAL(19,18) holds at most 9.223372036854775807:
    19 nines overflow. PostgreSQL's NUMERIC(19, s) holds them, so a DECIMAL(19, s) column gets a
    CHECK of that range, named so that the error says overflow. Precisions up to 18 fit in 64 bits
    and 20 to 38 in Redshift's 128 bits, as in PostgreSQL; only 19 differs. Runs after ddl.py,
    which refuses CHECK constraints written in the statement (Redshift has none)."""
    for col in list(tree.find_all(exp.ColumnDef)):
        kind = col.args.get("kind")
        if not isinstance(kind, exp.DataType) or kind.this not in (exp.DataType.Type.DECIMAL,):
            continue
        ps = precision_scale(kind.sql(dialect="postgres"))
        if ps is None or ps[0] != 19:
            continue
        bound = exp.Literal.number(_bound(ps[1]))
        check = exp.Between(this=exp.column(col.name, quoted=True), low=exp.Neg(this=bound.copy()), high=bound)
        col.append("constraints", exp.ColumnConstraint(
            this=exp.to_identifier(f"{col.name}_numeric_overflow"[:63], quoted=True),
            kind=exp.CheckColumnConstraint(this=check)))
    return tree


def _bound(scale: int) -> str:
    digits = str(_INT64_MAX)
    if scale == 0:
        return digits
    return f"{digits[:-scale] or '0'}.{digits[-scale:].rjust(scale, '0')}"


def _depth(node: exp.Expr) -> int:
    depth = 0
    while node.parent is not None:
        node, depth = node.parent, depth + 1
    return depth


def result_types(tree: exp.Expr, scope: Scope) -> exp.Expr:
    divisions(tree, scope)
    averages(tree, Scope(scope.catalog))
    signs(tree, Scope(scope.catalog))
    set_operations(tree, Scope(scope.catalog))
    return tree
