"""Oracle-style outer joins: WHERE conditions with (+) become LEFT JOINs (r_WHERE_oracle_outer).

A condition whose columns of table T carry (+) makes T the outer-joined (optional) table and goes
into T's ON clause — the restriction on a constant too (`eventid(+) = 796` keeps the categories
without event 796, where `eventid = 796` would filter them out). Conditions without (+) stay in
WHERE: "a join with mixed syntax styles executes as an inner join, without warning".
sqlglot's own eliminate_join_marks asserts instead of erring, needs every marked column
qualified, and repeats a FROM entry when the first table is the optional one; hence this module.
"""
from __future__ import annotations

from sqlglot import exp

from dwhkit.compat.scope import Scope
from dwhkit.errors import TranslateError

# Redshift's own error texts (r_WHERE_oracle_outer, usage notes)
OR_IN = "Outer join operator (+) not allowed in operand of OR or IN."
ONE_PARTNER = "A table may be outer joined to at most one other table."


def _conjuncts(node: exp.Expr) -> list[exp.Expr]:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    return [node]


def _marked(node: exp.Expr) -> list[exp.Column]:
    return [c for c in node.find_all(exp.Column) if c.args.get("join_mark")]


def _table_of(col: exp.Column, select: exp.Select, scope: Scope, names: list[str], fallback: set[str]) -> str | None:
    """The FROM entry a column belongs to: its qualifier, else the one entry the catalog shows
    has it. AMBIG (no catalog): an unqualified (+) column belongs to the one table the query
    marks with (+) elsewhere, qualified — the doc's `eventid(+) = 796` next to `event.catid(+)`."""
    if col.table:
        return col.table.lower()
    owners = [n for n, cols in scope.sources(select).items() if cols is not None and col.name.lower() in cols]
    if len(owners) == 1:
        return owners[0]
    if col.args.get("join_mark") and len(fallback) == 1:
        return next(iter(fallback))
    if not col.args.get("join_mark"):
        return None
    raise TranslateError(f"outer join operator (+) on column {col.name}: cannot tell which table it belongs to; "
                         "qualify it with its table name or alias")


def _rewrite(select: exp.Select, scope: Scope) -> None:
    where = select.args["where"]
    joins = list(select.args.get("joins") or [])
    if any(j.args.get("on") or j.args.get("using") or j.side or j.kind for j in joins):
        raise TranslateError("Outer join operator (+) can't be used in a query block that also contains "
                             "FROM clause join syntax")
    entries = [select.args["from_"].this] + [j.this for j in joins]
    names = [e.alias_or_name.lower() for e in entries]
    conjuncts = _conjuncts(where.this)
    fallback = {c.table.lower() for cond in conjuncts for c in _marked(cond) if c.table}
    optional: dict[str, list[exp.Expr]] = {}
    partners: dict[str, set[str]] = {}
    kept: list[exp.Expr] = []
    for cond in conjuncts:
        marked = _marked(cond)
        if not marked:
            kept.append(cond)
            continue
        if cond.find(exp.Or, exp.In):
            raise TranslateError(OR_IN)
        tables = {_table_of(c, select, scope, names, fallback) for c in marked}
        if len(tables) != 1:
            raise TranslateError("outer join operator (+) on columns of two tables in one condition")
        table = tables.pop()
        for c in marked:
            c.set("join_mark", False)
        if table not in names:
            kept.append(cond)  # "doesn't produce an outer join" with a table of an outer query
            continue
        optional.setdefault(table, []).append(cond)
        others = {_table_of(c, select, scope, names, fallback) for c in cond.find_all(exp.Column)}
        partners.setdefault(table, set()).update(t for t in others if t and t != table and t in names)
    for table, with_ in partners.items():
        if len(with_) > 1:
            raise TranslateError(ONE_PARTNER)
    preserved = [e for e, n in zip(entries, names) if n not in optional]
    if not preserved:
        raise TranslateError("outer join operator (+): every table of the join is marked as the optional one")
    placed = {e.alias_or_name.lower() for e in preserved}
    new_joins = [exp.Join(this=e.copy(), kind="CROSS") for e in preserved[1:]]
    pending = [(e, n) for e, n in zip(entries, names) if n in optional]
    while pending:
        ready = [(e, n) for e, n in pending if partners.get(n, set()) <= placed]
        if not ready:
            raise TranslateError("outer join operator (+): the outer joins form a cycle")
        for e, n in ready:
            new_joins.append(exp.Join(this=e.copy(), side="LEFT", on=exp.and_(*[c.copy() for c in optional[n]])))
            placed.add(n)
            pending.remove((e, n))
    select.set("from_", exp.From(this=preserved[0].copy()))
    select.set("joins", new_joins)
    if kept:
        select.set("where", exp.Where(this=exp.and_(*[c.copy() for c in kept])))
    else:
        select.set("where", None)


def oracle_outer_joins(tree: exp.Expr, scope: Scope) -> exp.Expr:
    for select in list(tree.find_all(exp.Select)):
        where = select.args.get("where")
        if where is not None and select.args.get("from_") is not None and _marked(where):
            _rewrite(select, scope)
    return tree
