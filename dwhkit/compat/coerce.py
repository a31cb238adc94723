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
Beyond that page: character strings in arithmetic and TO_CHAR (the course projects' VARCHAR
staging columns, see ``arithmetic``), BOOLEAN = INTEGER (r_logical_condition), and VARCHAR
trailing blanks ignored in comparisons (r_Character_types, see ``_blank_insensitive``).

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

from dwhkit.compat.nodes import ToChar
from dwhkit.compat.functions import is_numeric_model
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
    if "bool" in kinds and "int" in kinds:
        # r_logical_condition's example: likesports = 1 (the page's table: INTEGER → BOOLEAN)
        for op, kind in zip(operands, kinds):
            if kind == "int":
                op.replace(_cast(op.copy(), "BOOLEAN"))
        return
    if "char" not in kinds:
        return
    others = {k for k in kinds if k not in ("char", "unknown", None)}
    if not others:
        if None not in kinds:
            _blank_insensitive(operands, scope)
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


def _blank_insensitive(operands: list[exp.Expr], scope: Scope) -> None:
    """r_Character_types, "Significance of trailing blanks": trailing blanks of VARCHAR values are
    semantically insignificant when two character strings are compared ('abc ' = 'abc'), as for
    CHAR; LENGTH still counts them and LIKE still sees them. Postgres ignores trailing blanks
    only for bpchar, so the operands are compared as BPCHAR (no length: nothing is cut).
    Operands already CHAR (bpchar) compare that way in Postgres and are left as written."""
    types = [(scope.type_of(op) or "").lower() for op in operands]
    if all(t.startswith(("character(", "bpchar", "char(")) or t in ("character", "char", "unknown")
           for t in types):
        return
    for op in operands:
        if not (isinstance(op, exp.Cast) and op.to.this == exp.DataType.Type.BPCHAR):
            op.replace(_cast(op.copy(), "BPCHAR"))


def comparisons(tree: exp.Expr, scope: Scope) -> None:
    for node in list(tree.find_all(*_COMPARISONS, exp.In, exp.Between)):
        if isinstance(node, exp.In):
            if node.args.get("query") is not None:
                continue
            operands = [node.this, *node.expressions]
        elif isinstance(node, exp.Between):
            operands = [node.this, node.args.get("low"), node.args.get("high")]
        elif isinstance(node.parent, exp.Update) and node.arg_key == "expressions":
            continue  # UPDATE … SET col = value is an assignment (see _update), not a comparison
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
    for value, target_type in scope.assignments(tree, on_star=_expand_star_if_needed):
        _assign(value, target_type, scope)


def _expand_star_if_needed(select: exp.Select, names: list[str], columns: dict[str, str], scope: Scope) -> None:
    """INSERT INTO typed SELECT * FROM staging: the star is written out as its columns (in FROM
    order, as * lists them) when one of them needs a conversion, so that column can get its CAST."""
    expanded = scope.expand_star(select)
    if expanded is None or len(expanded) > len(names):
        return  # unknown columns; or an arity mismatch, which Postgres reports on the statement as written
    old = list(select.expressions)
    select.set("expressions", expanded)  # in the tree first: a column's type is looked up from its query
    if not any(category(columns.get(name)) not in (None, "char") and category(scope.type_of(value)) == "char"
               for value, name in zip(expanded, names)):
        select.set("expressions", old)


def _update(tree: exp.Update, scope: Scope) -> None:
    for value, target_type in scope.assignments(tree):
        _assign(value, target_type, scope)


_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_NUMBER_TYPE = {"int": "BIGINT", "decimal": "NUMERIC", "float": "DOUBLE PRECISION"}


def arithmetic(tree: exp.Expr, scope: Scope) -> None:
    """Character strings in arithmetic (the course projects' ``TIMESTAMP 'epoch' + ts/1000 *
    INTERVAL '1 second'`` with ts VARCHAR): the string is converted to a number of the other
    operand's family — BIGINT beside an integer, NUMERIC beside a DECIMAL, DOUBLE PRECISION beside
    a float. AMBIG: c_Supported_data_types' implicit-conversion table is not in the archived page
    source; we follow the rule Redshift's PostgreSQL 8.0 applies to an untyped literal ('5' / 2 is
    integer division), with BIGINT so that epoch milliseconds fit.

    ``+`` between character strings concatenates: r_NVL2's example selects
    ``firstname + ' ' + lastname``. Innermost operations first, so a chain sees the text its
    inner ``+`` became."""
    nodes = [n for n in tree.find_all(*_ARITHMETIC)]
    for node in sorted(nodes, key=lambda n: -_depth(n)):
        left, right = node.this, node.expression
        kinds = [category(scope.type_of(left)), category(scope.type_of(right))]
        if isinstance(node, exp.Add) and "char" in kinds and set(kinds) <= {"char", "unknown"}:
            node.replace(exp.DPipe(this=left.copy(), expression=right.copy()))
            continue
        if "char" in kinds:
            other = kinds[1] if kinds[0] == "char" else kinds[0]
            if other in _NUMBER_TYPE:
                for op, kind in ((left, kinds[0]), (right, kinds[1])):
                    if kind == "char":
                        op.replace(_cast(op.copy(), _NUMBER_TYPE[other]))


def _depth(node: exp.Expr) -> int:
    depth = 0
    while node.parent is not None:
        node, depth = node.parent, depth + 1
    return depth


def to_char_arguments(tree: exp.Expr, scope: Scope) -> None:
    """TO_CHAR(varchar, format) (r_TO_CHAR takes a number or a datetime; the course projects pass
    a VARCHAR holding either): the string is read as a NUMERIC when the format is a numeric
    model (digits 9/0, no year/day/hour fields), as a TIMESTAMP otherwise.
    AMBIG: which conversion Redshift picks is not documented; the format decides here."""
    for node in list(tree.find_all(ToChar)):
        fmt = node.args.get("format")
        if category(scope.type_of(node.this)) != "char" or not (isinstance(fmt, exp.Literal) and fmt.is_string):
            continue
        _cast_in_place(node.this, "NUMERIC" if is_numeric_model(fmt.name) else "TIMESTAMP")


def _cast_in_place(node: exp.Expr, to: str) -> None:
    node.replace(_cast(node.copy(), to))


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
    arithmetic(tree, scope)
    to_char_arguments(tree, scope)
    string_arguments(tree, scope)
    comparisons(tree, scope)
    return tree
