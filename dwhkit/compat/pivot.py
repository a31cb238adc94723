"""PIVOT and UNPIVOT (r_FROM_clause-pivot-unpivot-examples) rewritten to PostgreSQL: a grouped
query with FILTERed aggregates, and a LATERAL VALUES list. sqlglot's Postgres writer drops both
clauses with a warning, which would run the bare FROM (a different result).

The rewrite needs the source's column list: a subquery with named select items (the documented
form), or a table whose columns the catalog gives; otherwise it is refused with an error naming
the clause.
"""
from __future__ import annotations

from sqlglot import exp

from dwhkit.errors import UnsupportedError


def _label(node: exp.Expr) -> tuple[exp.Expr, str]:
    """(the IN item, its output name) for `item [AS alias]`."""
    if isinstance(node, exp.PivotAlias):
        alias = node.args["alias"]
        return node.this, alias.name if isinstance(alias, (exp.Identifier, exp.Literal)) else alias.sql()
    if isinstance(node, exp.Null):
        return node, "null"
    return node, node.name if isinstance(node, (exp.Column, exp.Literal, exp.Identifier)) else node.sql()


def _source_columns(source: exp.Expr, clause: str) -> list[str]:
    query = source.this if isinstance(source, exp.Subquery) else None
    names = list(query.named_selects) if isinstance(query, exp.Query) else []
    if not names or "*" in names or any(not n for n in names):
        raise UnsupportedError(f"{clause} is supported only on a subquery with named columns, e.g. "
                               f"FROM (SELECT a, b FROM t) {clause} (...)")
    return names


def _q(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect="postgres")


def _replace(source: exp.Expr, pivot: exp.Pivot, template: str, clause: str, extra=(),
             drop_first: bool = False) -> None:
    inner = source.this.copy()
    new = exp.maybe_parse(template, dialect="postgres")
    if extra:
        new.set("expressions", (new.expressions[1:] if drop_first else new.expressions) + list(extra))
    slot = next(s for s in new.find_all(exp.Subquery) if s.alias == "_dwhkit_src")
    slot.set("this", inner)
    alias = pivot.args.get("alias")
    name = alias.name if alias else f"_dwhkit_{clause.lower()}"
    sub = exp.Subquery(this=new, alias=exp.TableAlias(this=exp.to_identifier(name)))
    source.replace(sub)


def _unpivot(source: exp.Expr, pivot: exp.Pivot) -> None:
    columns = _source_columns(source, "UNPIVOT")
    if len(pivot.expressions) != 1 or len(pivot.args.get("fields") or []) != 1:
        raise UnsupportedError("UNPIVOT with several value columns is not supported")
    value = pivot.expressions[0].name
    field = pivot.args["fields"][0]
    name = field.this.name
    items = [_label(i) for i in field.expressions]
    used = {item.name.lower() for item, _ in items}
    keep = [c for c in columns if c.lower() not in used]
    src = "_dwhkit_src"
    rows = ", ".join(f"({exp.Literal.string(label).sql()}, {src}.{_q(item.name)})" for item, label in items)
    # r_FROM_clause-pivot-unpivot-examples: rows whose value is NULL are left out unless INCLUDE NULLS
    where = "" if pivot.args.get("include_nulls") else f" WHERE NOT _dwhkit_u.{_q(value)} IS NULL"
    select = ", ".join([f"{src}.{_q(c)}" for c in keep] + [f"_dwhkit_u.{_q(name)}", f"_dwhkit_u.{_q(value)}"])
    template = (f"SELECT {select} FROM (SELECT 1) AS {src} CROSS JOIN LATERAL "
                f"(VALUES {rows}) AS _dwhkit_u({_q(name)}, {_q(value)}){where}")
    _replace(source, pivot, template, "UNPIVOT")


def _pivot(source: exp.Expr, pivot: exp.Pivot) -> None:
    columns = _source_columns(source, "PIVOT")
    aggs = pivot.expressions
    if len(aggs) != 1 or len(pivot.args.get("fields") or []) != 1:
        raise UnsupportedError("PIVOT with several aggregates or FOR columns is not supported")
    agg, suffix = aggs[0], ""
    if isinstance(agg, exp.Alias):
        # r_FROM_clause-pivot-unpivot-examples: the aggregate alias is appended as _alias
        agg, suffix = agg.this, "_" + agg.alias
    field = pivot.args["fields"][0]
    for_col = field.this.name.lower()
    used = {c.name.lower() for c in agg.find_all(exp.Column)} | {for_col}
    keep = [c for c in columns if c.lower() not in used]
    outs = []
    for item, label in (_label(i) for i in field.expressions):
        a = agg.copy()
        for col in a.find_all(exp.Column):
            col.set("table", exp.to_identifier("_dwhkit_src"))
        # NULL is a valid IN value: compare NULL-safely
        cond = exp.NullSafeEQ(this=exp.column(for_col, "_dwhkit_src"), expression=item.copy())
        label = "null" if isinstance(item, exp.Null) and not isinstance(label, str) else label
        outs.append(exp.alias_(exp.Filter(this=a, expression=exp.Where(this=cond)), label + suffix, quoted=True))
    select = ", ".join([f"_dwhkit_src.{_q(c)}" for c in keep] or ["1"])
    group = f" GROUP BY {', '.join(f'_dwhkit_src.{_q(c)}' for c in keep)}" if keep else ""
    # the aggregates stay ASTs (Redshift functions inside them are translated like any other)
    template = f"SELECT {select} FROM (SELECT 1) AS _dwhkit_src{group}"
    _replace(source, pivot, template, "PIVOT", extra=outs, drop_first=not keep)


def _table_as_subquery(table: exp.Table, columns: dict) -> exp.Subquery:
    """A base table the catalog knows, as the documented form: (SELECT its columns FROM it)."""
    inner = table.copy()
    inner.set("pivots", None)
    query = exp.select(*[exp.column(c, quoted=True) for c in columns]).from_(inner)
    return exp.Subquery(this=query)


def rewrite(tree: exp.Expr, scope=None) -> exp.Expr:
    """``scope`` (compat.scope.Scope or None): with a catalog, a bare table's columns are known
    and PIVOT/UNPIVOT on it works as on the equivalent subquery."""
    for source in list(tree.find_all(exp.Subquery, exp.Table)):
        pivots = source.args.get("pivots") or []
        if not pivots:
            continue
        if len(pivots) != 1:
            raise UnsupportedError("more than one PIVOT/UNPIVOT on a source is not supported")
        pivot = pivots[0]
        clause = "UNPIVOT" if pivot.args.get("unpivot") else "PIVOT"
        if not isinstance(source, exp.Subquery):
            columns = scope.table_columns(source) if scope is not None else None
            if not columns:
                _source_columns(source, clause)  # raises
            sub = _table_as_subquery(source, columns)
            source.replace(sub)
            source = sub
        source.set("pivots", None)
        (_unpivot if clause == "UNPIVOT" else _pivot)(source, pivot)
    return tree
