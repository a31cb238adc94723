"""Redshift's implicit conversions, written out as explicit CASTs for Postgres.

c_Supported_data_types, "Type compatibility and conversion"
(https://docs.aws.amazon.com/redshift/latest/dg/c_Supported_data_types.html#r_Type_conversion):
- assignments (INSERT, UPDATE) convert a character string holding a valid literal into a
  numeric, date, time or timestamp column (Postgres refuses: "column x is of type numeric but
  expression is of type character varying");
- string functions take numbers and datetimes, converted to character strings;
- "If you compare DECIMAL values with character strings, Amazon Redshift attempts to convert the
  character string to a DECIMAL value. When comparing all other numeric values with character
  strings, the numeric values are converted to character strings."

Why type-aware translation rather than casts installed into the cluster: it needs no superuser
and no catalog writes, so it works on any Postgres target; and an implicit cast text→integer in
Postgres would apply everywhere (also where Redshift compares as strings), making operator
resolution ambiguous. Types come from compat/scope.py; where a type is unknown the expression
is left as written, so a statement is never made worse than Postgres alone would run it.

AMBIG (the page speaks of "character strings", not of literals): a quoted literal is untyped,
as in the PostgreSQL 8.0 Redshift derives from, and takes the type of the other side —
`int_col = '05'` compares numbers (true for 5), while `int_col = varchar_col` compares strings.
"""
from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import SqlglotError

from dwhkit.compat.scope import DATETIME, NUMERIC, Scope, category

# Functions whose listed arguments are character strings (r_String_functions_header).
_STRING_ARGS: dict[type, tuple[str, ...]] = {
    exp.Substring: ("this",), exp.Trim: ("this",), exp.Repeat: ("this",), exp.Left: ("this",),
    exp.Right: ("this",), exp.Length: ("this",), exp.Upper: ("this",), exp.Lower: ("this",),
    exp.Pad: ("this",), exp.StrPosition: ("this",), exp.SplitPart: ("this",), exp.Reverse: ("this",),
    exp.Replace: ("this",), exp.Initcap: ("this",), exp.DPipe: ("this", "expression"),
    exp.Like: ("this",), exp.ILike: ("this",),
}
_STRING_ANONYMOUS = {"OCTET_LENGTH", "TEXTLEN", "BTRIM", "LTRIM", "RTRIM", "REPEAT", "REVERSE", "REPLICATE"}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_NOT_TEXT = NUMERIC | DATETIME | {"bool"}


def _cast(node: exp.Expr, to: str) -> exp.Cast:
    return exp.Cast(this=node, to=exp.DataType.build(to, dialect="postgres"))


def _to_text(node: exp.Expr) -> None:
    node.replace(_cast(node.copy(), "VARCHAR"))


def string_arguments(tree: exp.Expr, scope: Scope) -> None:
    """SUBSTRING(ts, 6, 2), LTRIM(ts, '2008-'), REPEAT(int, 3), ts LIKE '2008-09%', int || int…:
    a number or datetime argument is converted to its character string first."""
    for node in list(tree.find_all(*_STRING_ARGS, exp.Concat, exp.Anonymous)):
        if isinstance(node, exp.Concat):
            args = list(node.expressions)
        elif isinstance(node, exp.Anonymous):
            args = node.expressions[:1] if str(node.this).upper() in _STRING_ANONYMOUS else []
        else:
            args = [node.args.get(k) for k in _STRING_ARGS[type(node)]]
        for arg in args:
            if arg is not None and category(scope.type_of(arg)) in _NOT_TEXT:
                _to_text(arg)


def _compare(operands: list[exp.Expr], scope: Scope) -> None:
    """c_Supported_data_types: DECIMAL vs character string → the string becomes DECIMAL; other
    numerics vs character string → the numbers become strings; a datetime vs a character string
    → the string becomes that datetime type (a valid literal, as in assignments)."""
    kinds = [category(scope.type_of(op)) for op in operands]
    if "char" not in kinds:
        return
    others = {k for k in kinds if k not in ("char", "unknown", None)}
    if not others:
        return
    if "decimal" in others:
        to_cast, to = "char", "NUMERIC"
    elif others & NUMERIC:
        to_cast, to = "numeric", "VARCHAR"
    elif len(others) == 1 and others <= DATETIME:
        to_cast = "char"
        to = {"date": "DATE", "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMPTZ", "time": "TIME"}[others.pop()]
    else:
        return
    for op, kind in zip(operands, kinds):
        if (to_cast == "char" and kind == "char") or (to_cast == "numeric" and kind in NUMERIC):
            op.replace(_cast(op.copy(), to))


def comparisons(tree: exp.Expr, scope: Scope) -> None:
    for node in list(tree.find_all(*_COMPARISONS, exp.In, exp.Between)):
        if isinstance(node, exp.In):
            if node.args.get("query") is not None:
                continue
            operands = [node.this, *node.expressions]
        elif isinstance(node, exp.Between):
            operands = [node.this, node.args.get("low"), node.args.get("high")]
        else:
            operands = [node.this, node.expression]
        _compare([op for op in operands if op is not None], scope)


def _assign(value: exp.Expr, target_type: str | None, scope: Scope) -> None:
    """A character-string value going into a non-character column is CAST to the column's type
    (and an integer into a BOOLEAN column: the page's table lists INTEGER → BOOLEAN)."""
    target = category(target_type)
    if target is None or target == "char":
        return
    inner = value.this if isinstance(value, exp.Alias) else value
    source = category(scope.type_of(inner))
    if source == "char" or (source == "int" and target == "bool"):
        try:
            cast = _cast(inner.copy(), target_type)
        except SqlglotError:
            return  # a type name sqlglot cannot read: Postgres judges the statement as written
        inner.replace(cast)


def _insert(tree: exp.Insert, scope: Scope) -> None:
    target = tree.this
    table = target.this if isinstance(target, exp.Schema) else target
    columns = scope.table_columns(table)
    if not columns:
        return
    if isinstance(target, exp.Schema):
        names = [c.name.lower() for c in target.expressions]
    else:
        names = list(columns)
    source = tree.expression
    rows: list[list[exp.Expr]] = []
    if isinstance(source, exp.Values):
        rows = [list(t.expressions) for t in source.expressions if isinstance(t, exp.Tuple)]
    elif isinstance(source, exp.Query):
        branches = [source]
        while branches:
            q = branches.pop()
            if isinstance(q, exp.Subquery):
                branches.append(q.this)
            elif isinstance(q, (exp.Union, exp.Intersect, exp.Except)):
                branches += [q.this, q.expression]
            elif isinstance(q, exp.Select) and not any(isinstance(p, exp.Star) for p in q.expressions):
                rows.append(list(q.expressions))
    for row in rows:
        for name, value in zip(names, row):
            _assign(value, columns.get(name), scope)


def _update(tree: exp.Update, scope: Scope) -> None:
    columns = scope.table_columns(tree.this)
    if not columns:
        return
    for eq in tree.expressions:
        if isinstance(eq, exp.EQ) and isinstance(eq.this, exp.Column):
            _assign(eq.expression, columns.get(eq.this.name.lower()), scope)


_TIME_TYPES = {"time": "TIME", "time without time zone": "TIME", "time with time zone": "TIMETZ", "timetz": "TIMETZ"}


def datetime_arguments(tree: exp.Expr, scope: Scope) -> None:
    """r_DATEADD_function, r_DATEDIFF_function take TIME and TIMETZ values; the Postgres SQL for
    them (compat/functions.py) tells a TIME from a TIMESTAMP only by an explicit CAST … AS TIME,
    so a column the catalog shows to be a TIME gets one. r_TRUNC_date: TRUNC of a TIMESTAMP is its
    DATE (TRUNC of a number stays TRUNC)."""
    for node in list(tree.find_all(exp.TsOrDsAdd, exp.TsOrDsDiff, exp.DateDiff)):
        for key in ("this", "expression"):
            arg = node.args.get(key)
            to = _TIME_TYPES.get((scope.type_of(arg) or "").lower()) if isinstance(arg, exp.Column) else None
            if to:
                arg.replace(_cast(arg.copy(), to))
    for node in list(tree.find_all(exp.Trunc)):
        if node.args.get("decimals") is None and category(scope.type_of(node.this)) in ("timestamp", "timestamptz", "date"):
            node.replace(_cast(node.this.copy(), "DATE"))


def implicit_conversions(tree: exp.Expr, scope: Scope) -> exp.Expr:
    """Every implicit conversion the statement relies on, made explicit."""
    if isinstance(tree, exp.Insert):
        _insert(tree, scope)
    elif isinstance(tree, exp.Update):
        _update(tree, scope)
    datetime_arguments(tree, scope)
    string_arguments(tree, scope)
    comparisons(tree, scope)
    return tree
