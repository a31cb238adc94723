"""SUPER on PostgreSQL's jsonb: the statement rewritten so that SUPER values stay SUPER values
(the SQL each one becomes is compat/super_functions.py's).

Why jsonb (r_super_type; query-super, "Querying semistructured data"; c_Array_Functions):
a SUPER value is a scalar (number, string, boolean, null), an array or an object — JSON's
values — navigated by attribute (``c.a.b``) and by zero-based index (``c[0]``), with a missing
attribute or element NULL in the default lax mode. jsonb holds exactly those values, navigates
with ``->`` (NULL for what is missing, and for navigation into a scalar), and, unlike json, can
be compared, grouped and sorted. What it cannot keep is refused or marked AMBIG where it matters:
FLOAT apart from DECIMAL (IS_FLOAT), the order of an object's keys (JSON_SERIALIZE), and
Redshift's in-memory SIZE.

Attribute names are folded to lower case, as Redshift does by default (super-configration:
quoted upper-case names need ``downcase_delimited_identifier`` off, which dwhkit does not
emulate). UNPIVOT over SUPER objects is refused.
"""
from __future__ import annotations

from sqlglot import exp

from dwhkit.compat.nodes import (SuperArray, SuperCast, SuperCompare, SuperOf, SuperParse, SuperPath, SuperRank,
                                 SuperScalar, SuperText, SuperUnnest, builds_super)
from dwhkit.compat.scope import DATETIME, Scope, category
from dwhkit.errors import UnsupportedError

T = exp.DataType.Type
_SUPER_TYPES = ("jsonb", "super")
_ORDERINGS = {exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}


def column_types(tree: exp.Expr) -> exp.Expr:
    """CREATE TABLE / ALTER TABLE ADD COLUMN: a SUPER column is a JSONB column."""
    for dt in list(tree.find_all(exp.DataType)):
        if dt.this == T.SUPER and isinstance(dt.parent, exp.ColumnDef):
            dt.replace(exp.DataType.build("JSONB", dialect="postgres"))
    return tree


def rewrite(tree: exp.Expr, scope: Scope) -> exp.Expr:
    """Every SUPER rule, in order: constructors first, so the later rules see their values as SUPER."""
    unnesting(tree)
    for node in list(tree.find_all(exp.ParseJSON, exp.Array)):
        if isinstance(node, exp.ParseJSON):
            node.replace(SuperParse(this=node.this))
        elif not node.args.get("bracket_notation") and not any(isinstance(e, exp.Query) for e in node.expressions):
            # ARRAY[…] and ARRAY(SELECT …) are PostgreSQL's (drivers' and psql's catalog queries)
            node.replace(SuperArray(expressions=list(node.expressions)))
    navigation(tree, scope)
    _no_datetimes(tree, scope)
    _casts(tree, scope)
    _assignments(tree, scope)
    _comparisons(tree, scope)
    _scalar_operands(tree, scope)
    return tree


def is_super(node: exp.Expr | None, scope: Scope) -> bool:
    return (scope.type_of(node) or "").lower() in _SUPER_TYPES


# -- unnesting ------------------------------------------------------------------------------------
def unnesting(tree: exp.Expr) -> None:
    """query-super, "Unnesting": ``FROM t AS c, c.items AS i [AT n]`` iterates over the array
    c.items (``i`` an element, ``n`` its zero-based index); a later entry may iterate over an
    earlier one's element (``i.parts p``, or ``i AS p`` by its bare name)."""
    for select in list(tree.find_all(exp.Select)):
        elements: set[str] = set()
        for join in select.args.get("joins") or []:
            entry, index = join.this, None
            if isinstance(entry, exp.Unnest):
                alias = entry.args.get("alias")
                if len(entry.expressions) != 1 or not isinstance(alias, exp.TableAlias) or len(alias.columns) != 1:
                    raise UnsupportedError(f"unnesting {entry.sql(dialect='redshift')}: name one array and its alias")
                value, alias = entry.expressions[0], alias.columns[0]
            elif isinstance(entry, exp.AtIndex) and isinstance(entry.this, exp.Alias):
                value, alias, index = entry.this.this, entry.this.args["alias"], entry.expression
            elif isinstance(entry, exp.Table) and not entry.db and entry.name.lower() in elements and entry.alias:
                value, alias = exp.column(entry.name), exp.to_identifier(entry.alias)
            else:
                continue
            if join.args.get("on") is not None or join.args.get("using") or join.side or join.kind:
                raise UnsupportedError(f"unnesting {alias.name} in a JOIN … ON: list it in FROM after a comma")
            elements.add(alias.name.lower())
            join.set("this", SuperUnnest(this=value.copy(), alias=alias.copy(),
                                         index=index.copy() if index is not None else None))


# -- navigation ----------------------------------------------------------------------------------
def navigation(tree: exp.Expr, scope: Scope) -> None:
    """query-super: ``c.a.b``, ``t.c.a``, ``c[0].a`` and ``c."A"`` become SuperPath nodes. A dotted
    name is navigation when its first part is not a FROM entry in reach but a column (or an
    unnested element); a subscript is navigation unless its base is known not to be SUPER."""
    for node in list(tree.find_all(exp.Column, exp.Dot, exp.Bracket)):
        parent = node.parent
        if isinstance(parent, (exp.Dot, exp.Bracket)) and node.arg_key == "this":
            continue  # part of a longer path, handled from its outermost node
        if isinstance(node, exp.Dot) and not isinstance(node.expression, exp.Identifier):
            continue  # a qualified function name, not a path
        core, steps = _unwind(node)
        if steps and not _may_be_super(core, scope):
            continue  # a PostgreSQL array subscript (a system catalog's int2vector, current_schemas(…)[1])
        if isinstance(core, exp.Column):
            if isinstance(core.this, exp.Star):
                continue
            base, first = _split_column(core, scope)
            steps = first + steps
        else:
            base = core
        if steps:
            node.replace(SuperPath(this=base if base is not core else core.copy(), steps=steps))


_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")


def _may_be_super(core: exp.Expr, scope: Scope) -> bool:
    """Whether a subscripted expression can be SUPER: a column not known to be of another type and
    not in a query over the system catalogs (Redshift has no array type of its own, but its
    pg_catalog has PostgreSQL's), or an expression the statement shows to be SUPER — not, say,
    ``(pg_catalog.current_schemas(true))[1]``, which drivers send."""
    while isinstance(core, exp.Paren):
        core = core.this
    if isinstance(core, exp.Column):
        known = scope.type_of(core) if not core.table or len(core.parts) == 2 else None
        if known is not None:
            return known.lower() in _SUPER_TYPES
        query = core.find_ancestor(exp.Select, exp.Update, exp.Delete)
        tables = list(query.find_all(exp.Table)) if query is not None else []
        return not any(t.db.lower() in _SYSTEM_SCHEMAS or t.name.lower().startswith(("pg_", "stl_", "stv_", "svv_"))
                       for t in tables)
    if isinstance(core, exp.Cast):
        return core.to.is_type(T.SUPER)
    return builds_super(core) or (scope.type_of(core) or "").lower() in _SUPER_TYPES


def _unwind(node: exp.Expr) -> tuple[exp.Expr, list[exp.Expr]]:
    """The innermost expression of a path and the steps after it, in order."""
    steps: list[exp.Expr] = []
    while True:
        if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Identifier):
            steps.insert(0, _attribute(node.expression))
        elif isinstance(node, exp.Bracket):
            if len(node.expressions) != 1:
                raise UnsupportedError("a SUPER subscript takes one index")
            index = node.expressions[0]
            steps.insert(0, exp.Literal.string(index.name.lower()) if isinstance(index, exp.Literal)
                         and index.is_string else index.copy())
        else:
            return node, steps
        node = node.this


def _attribute(ident: exp.Expr) -> exp.Literal:
    return exp.Literal.string(ident.name.lower())


def _split_column(col: exp.Column, scope: Scope) -> tuple[exp.Expr, list[exp.Expr]]:
    """(the column reference, the attribute steps after it) of a dotted name."""
    parts = [p for p in (col.args.get("catalog"), col.args.get("db"), col.args.get("table")) if p] + [col.this]
    if len(parts) == 1:
        return col, []
    names = [p.name.lower() for p in parts]
    sources, columns, elements = _in_reach(col, scope)
    if sources is None:
        return col, []  # not inside a query: not a path
    if names[0] in elements:  # i.a.b where i is an unnested element
        return exp.Column(this=parts[0].copy(), table=parts[0].copy()), [_attribute(p) for p in parts[1:]]
    for i, name in enumerate(names[:3]):  # t.c.a.b, s.t.c.a, d.s.t.c: a FROM entry, maybe qualified
        if name in sources and i + 1 < len(parts):
            if i + 2 == len(parts):
                return col, []
            qualifiers = dict(zip(("table", "db", "catalog"), (p.copy() for p in reversed(parts[:i + 1]))))
            return exp.Column(this=parts[i + 1].copy(), **qualifiers), [_attribute(p) for p in parts[i + 2:]]
    if columns is not None and names[0] not in columns:
        return col, []  # neither a FROM entry nor a column: Postgres reports it as written
    return exp.Column(this=parts[0].copy()), [_attribute(p) for p in parts[1:]]


def _in_reach(node: exp.Expr, scope: Scope):
    """FROM entry names, column names and unnested elements visible from ``node`` (its query and
    the enclosing ones); the columns are None when a FROM entry's columns are unknown, all None
    outside a query."""
    query = node.find_ancestor(exp.Select, exp.Update, exp.Delete)
    if query is None:
        return None, None, None
    sources: set[str] = set()
    elements: set[str] = set()
    columns: set[str] | None = set()
    while query is not None:
        sources.update(scope.sources(query))
        elements.update(j.this.alias.lower() for j in query.args.get("joins") or [] if isinstance(j.this, SuperUnnest))
        visible = scope.visible_columns(query)
        columns = None if visible is None or columns is None else columns | visible
        query = query.parent.find_ancestor(exp.Select, exp.Update, exp.Delete) if query.parent else None
    return sources, columns, elements


# -- casts, assignments, comparisons --------------------------------------------------------------
def _no_datetimes(tree: exp.Expr, scope: Scope) -> None:
    """limitations-super, r_object_function: "Amazon Redshift doesn't cast the date and time types to
    SUPER" ("OBJECT could not convert type date to super"); jsonb would store their text."""
    values: list[tuple[str, exp.Expr]] = []
    for node in tree.find_all(SuperArray, exp.Anonymous, exp.Cast):
        if isinstance(node, SuperArray):
            values += [("ARRAY", a) for a in node.expressions]
        elif isinstance(node, exp.Anonymous) and str(node.this).upper() == "OBJECT":
            values += [("OBJECT", a) for a in node.expressions[1::2]]
        elif isinstance(node, exp.Cast) and node.to.is_type(T.SUPER):
            values.append(("CAST", node.this))
    for func, value in values:
        kind = category(scope.type_of(value))
        if kind in DATETIME:
            raise UnsupportedError(f"{func} could not convert type {kind} to super")


def _casts(tree: exp.Expr, scope: Scope) -> None:
    """CAST(x AS SUPER) makes a SUPER value; CAST(super AS type) follows limitations-super."""
    for cast in reversed(list(tree.find_all(exp.Cast))):  # innermost first: 5::super::bool
        inner = cast.this
        if cast.to.is_type(T.SUPER):
            cast.replace(inner if is_super(inner, scope) else SuperOf(this=inner))
        elif is_super(inner, scope):
            cast.replace(SuperCast(this=inner, to=cast.to))


def _assignments(tree: exp.Expr, scope: Scope) -> None:
    """A value INSERTed into or SET in a SUPER column becomes a SUPER value of its own type (a
    string stays a string: '{"a":1}' is not parsed, as in Redshift)."""
    for value, target_type in scope.assignments(tree):
        if (target_type or "").lower() not in _SUPER_TYPES:
            continue
        inner = value.this if isinstance(value, exp.Alias) else value
        if isinstance(inner, exp.Null) or is_super(inner, scope):
            continue
        inner.replace(SuperOf(this=inner.copy()))


def _comparisons(tree: exp.Expr, scope: Scope) -> None:
    """A SUPER value compared with another type compares with that value as SUPER (dynamic typing,
    query-super); an ordering of values of different SUPER types is NULL."""
    for node in list(tree.find_all(exp.EQ, exp.NEQ, *_ORDERINGS, exp.In)):
        if isinstance(node.parent, exp.Update) and node.arg_key == "expressions":
            continue  # SET col = value: an assignment
        if isinstance(node, exp.In):
            if node.args.get("query") is not None:
                continue
            operands = [node.this, *node.expressions]
        else:
            operands = [node.this, node.expression]
        if not any(is_super(op, scope) for op in operands):
            continue
        for op in operands:
            if not isinstance(op, exp.Null) and not is_super(op, scope):
                op.replace(SuperOf(this=op.copy()))
        if type(node) in _ORDERINGS:
            node.replace(SuperCompare(this=node.this, expression=node.expression, op=_ORDERINGS[type(node)]))


# query-super, "Dynamic typing": an operator or function of a scalar type works on the SUPER
# value's dynamic type, NULL when it is another type
_NUMBER_OPERANDS = {exp.Add: ("this", "expression"), exp.Sub: ("this", "expression"), exp.Mul: ("this", "expression"),
                    exp.Div: ("this", "expression"), exp.Mod: ("this", "expression"), exp.Neg: ("this",),
                    exp.Sum: ("this",), exp.Avg: ("this",), exp.Abs: ("this",), exp.Round: ("this",),
                    exp.Floor: ("this",), exp.Ceil: ("this",)}
_STRING_OPERANDS = {exp.Upper: ("this",), exp.Lower: ("this",), exp.Length: ("this",), exp.Substring: ("this",),
                    exp.Trim: ("this",), exp.Like: ("this",), exp.ILike: ("this",), exp.DPipe: ("this", "expression"),
                    exp.Left: ("this",), exp.Right: ("this",), exp.Replace: ("this",), exp.Initcap: ("this",),
                    exp.SplitPart: ("this",), exp.Reverse: ("this",), exp.Pad: ("this",), exp.StrPosition: ("this",)}


def _scalar_operands(tree: exp.Expr, scope: Scope) -> None:
    for kind, table in (("number", _NUMBER_OPERANDS), ("string", _STRING_OPERANDS)):
        for node in list(tree.find_all(*table)):
            for key in table[type(node)]:
                arg = node.args.get(key)
                if arg is not None and is_super(arg, scope):
                    arg.replace(SuperScalar(this=arg.copy(), kind=kind))
    for concat in list(tree.find_all(exp.Concat)):
        for arg in list(concat.expressions):
            if is_super(arg, scope):
                arg.replace(SuperScalar(this=arg.copy(), kind="string"))


# -- results ---------------------------------------------------------------------------------------
def results(tree: exp.Expr, scope: Scope) -> exp.Expr:
    """Run last (after the default column names): SUPER values in ORDER BY rank by type first, and
    the SUPER columns of the statement's own result reach the client as Redshift sends them, the
    compact JSON text (query-super's examples print "Amazon", [1,"abc",null]). Only the outermost
    query's columns are serialized: a subquery, INSERT … SELECT or CREATE TABLE AS keeps SUPER."""
    if isinstance(tree, exp.Select) and tree.args.get("into") is None:
        _serialize(tree, scope)
    elif isinstance(tree, (exp.Union, exp.Intersect, exp.Except)):
        for branch in _branches(tree):
            if isinstance(branch, exp.Select):
                _serialize(branch, scope)
    _rank_orderings(tree, scope)
    return tree


def _branches(node: exp.Expr) -> list[exp.Expr]:
    if isinstance(node, (exp.Union, exp.Intersect, exp.Except)):
        return _branches(node.this) + _branches(node.expression)
    return [node.this if isinstance(node, exp.Subquery) else node]


def _serialize(select: exp.Select, scope: Scope) -> None:
    items = select.expressions
    if any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star)) for p in items):
        expanded = scope.expand_star(select)
        if expanded is None or not any(is_super(p, scope) for p in _in_place(select, expanded)):
            return  # unknown columns (Postgres returns jsonb values), or no SUPER column
        items = select.expressions
    originals = {}
    for i, proj in enumerate(list(items)):
        value = proj.this if isinstance(proj, exp.Alias) else proj
        if not is_super(value, scope) or isinstance(value, exp.Cast):
            continue  # (an explicit ::jsonb is PostgreSQL's type, not SUPER: left as it is)
        name = proj.alias if isinstance(proj, exp.Alias) else (value.name if isinstance(value, exp.Column) else "?column?")
        originals[name.lower()] = originals[str(i + 1)] = value.copy()
        proj.replace(exp.alias_(SuperText(this=value.copy()), name, quoted=True))
    order = select.args.get("order")
    if order is None or not originals or select.args.get("distinct") is not None:
        return
    for ordered in order.expressions:  # ORDER BY the value, not its text (an alias or a position)
        key = ordered.this
        ref = key.name.lower() if isinstance(key, exp.Column) and not key.table else (
            key.name if isinstance(key, exp.Literal) and not key.is_string else None)
        if ref in originals:
            key.replace(originals[ref].copy())


def _in_place(select: exp.Select, expanded: list[exp.Expr]) -> list[exp.Expr]:
    """Set the written-out select list (its columns' types are looked up from their query)."""
    select.set("expressions", expanded)
    return select.expressions


def _rank_orderings(tree: exp.Expr, scope: Scope) -> None:
    for ordered in list(tree.find_all(exp.Ordered)):
        key = ordered.this
        if isinstance(key, SuperRank) or not is_super(key, scope):
            continue
        owner = ordered.parent.parent if isinstance(ordered.parent, exp.Order) else None
        if isinstance(owner, exp.Select) and owner.args.get("distinct") is not None:
            continue  # SELECT DISTINCT orders only by what it returns (here the JSON text)
        rank = ordered.copy()
        rank.set("this", SuperRank(this=key.copy()))
        parent, items = ordered.parent, list(ordered.parent.args[ordered.arg_key])
        position = next(i for i, item in enumerate(items) if item is ordered)
        parent.set(ordered.arg_key, items[:position] + [rank] + items[position:])
