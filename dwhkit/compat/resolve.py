"""Name resolution Redshift does and Postgres does not: select-list aliases in WHERE, GROUP BY
and HAVING, FROM subqueries without an alias, and the UPDATE … FROM rules."""
from __future__ import annotations

from sqlglot import exp

from dwhkit.compat.scope import Scope
from dwhkit.errors import TranslateError

SUBQUERY_ALIAS = "_dwhkit_subquery_{}"


def subquery_aliases(tree: exp.Expr) -> exp.Expr:
    """r_FROM_clause30: the alias of a FROM subquery is optional in Redshift; Postgres 15
    requires one ("subquery in FROM must have an alias"), so one is made up."""
    n = 0
    for sub in list(tree.find_all(exp.Subquery)):
        if sub.alias or not isinstance(sub.parent, (exp.From, exp.Join)):
            continue
        n += 1
        sub.set("alias", exp.TableAlias(this=exp.to_identifier(SUBQUERY_ALIAS.format(n))))
    return tree


def _own_columns(node: exp.Expr, select: exp.Select):
    """Unqualified column references in `node` that belong to `select` (not to a subquery)."""
    for col in list(node.find_all(exp.Column)):
        if not col.table and not isinstance(col.this, exp.Star) and col.find_ancestor(exp.Select) is select:
            yield col


def clause_aliases(tree: exp.Expr, scope: Scope) -> exp.Expr:
    """r_SELECT_list, r_WHERE_clause: a select-list alias may be used in WHERE, GROUP BY and
    HAVING when no FROM column has that name; the aliased expression is written in its place.

    Whether a FROM column has the name is known only when every FROM entry's columns are known
    (the catalog for base tables, the statement for derived tables and CTEs); otherwise the
    statement is left as written. A bare GROUP BY name needs nothing: Postgres already prefers
    an input column and falls back to the output name, as Redshift does."""
    for select in list(tree.find_all(exp.Select)):
        aliases = {p.alias.lower(): p.this for p in select.expressions if isinstance(p, exp.Alias)}
        if not aliases:
            continue
        clauses = [select.args.get("where"), select.args.get("having")]
        group = select.args.get("group")
        if group is not None:
            clauses += [g for g in group.expressions if not isinstance(g, exp.Column)]
        clauses = [c for c in clauses if c is not None]
        if not clauses:
            continue
        visible = scope.visible_columns(select)
        if visible is None:
            continue
        for clause in clauses:
            for col in list(_own_columns(clause, select)):
                name = col.name.lower()
                if name in aliases and name not in visible:
                    col.replace(exp.Paren(this=aliases[name].copy()))
    return tree


def update_from(tree: exp.Expr) -> exp.Expr:
    """r_UPDATE usage notes: "Left, right, and full outer joins aren't supported in the FROM
    clause of an UPDATE statement" — refused with Redshift's error. The target named again in
    FROM under an alias with no join condition to it is the target itself (``_alias_of_target``).
    The other rules (a column name shared by the target and a FROM entry must be qualified; the
    target again in FROM without an alias) are Postgres's own, and its errors ("column reference
    … is ambiguous", "table name … specified more than once") say so."""
    if not isinstance(tree, exp.Update):
        return tree
    from_ = tree.args.get("from_")
    joins = list(tree.args.get("joins") or [])
    if from_ is not None:
        joins += list(from_.this.args.get("joins") or [])
    for join in joins:
        if join.side or (join.kind or "").upper() in ("OUTER", "FULL"):
            raise TranslateError("Target table must be part of an equijoin predicate")
    entries = ([from_.this] if from_ is not None else []) + [j.this for j in joins]
    for entry in entries:
        if _same_table(entry, tree.this) and entry.alias and not _joined(tree, tree.this.alias_or_name, entry.alias):
            _alias_of_target(tree, entry)
    return tree


def _alias_of_target(tree: exp.Update, entry: exp.Table) -> None:
    """AMBIG (r_UPDATE, table_name: "You can't give the table an alias here; however, you can
    specify an alias in the FROM clause"; FROM: "If you need to include the target table of the
    UPDATE statement in the list, use an alias"; c_Examples_of_UPDATE_statements gives
    ``from event join category cat on event.catid=cat.catid where cat.catgroup='Concerts'`` as
    "an alternative way to write" the update of the one Concerts row): an aliased target in FROM
    with no join condition between it and the target names the target's own row — not a second
    copy of the table, which in PostgreSQL would cross-join and update every row. So the entry is
    dropped, its ON condition joins WHERE, and ``alias.col`` becomes ``target.col``. A self-join
    (usage notes: "you need to specify the join condition") is left as written."""
    alias, target = entry.alias, tree.this.alias_or_name
    parent = entry.parent
    conditions: list[exp.Expr] = []
    if isinstance(parent, exp.Join):
        if parent.args.get("using"):
            raise TranslateError(f"UPDATE {tree.this.name}: the target joined again as {alias} with USING; "
                                 f"write the join condition in ON or WHERE")
        if parent.args.get("on") is not None:
            conditions.append(parent.args["on"])
        parent.pop()
    else:  # the first FROM entry: the first of its joins (if any) takes its place
        from_ = parent
        joins = list(entry.args.get("joins") or [])
        if not joins:
            from_.pop()
        else:
            first = joins.pop(0)
            if first.args.get("using"):
                raise TranslateError(f"UPDATE {tree.this.name}: the target joined again as {alias} with USING; "
                                     f"write the join condition in ON or WHERE")
            if first.args.get("on") is not None:
                conditions.append(first.args["on"])
            new_first = first.this
            new_first.set("joins", joins or None)
            from_.set("this", new_first)
    if conditions:
        where = tree.args.get("where")
        cond = exp.and_(*(c.copy() for c in ([where.this] if where is not None else []) + conditions))
        tree.set("where", exp.Where(this=cond))
    for col in list(tree.find_all(exp.Column)):
        if col.table.lower() != alias.lower():
            continue
        inner = col.find_ancestor(exp.Select)
        if inner is not None and any(src.alias_or_name.lower() == alias.lower() for src in _from_entries(inner)):
            continue  # a subquery's own entry of that name
        col.set("table", exp.to_identifier(target))


def _from_entries(select: exp.Select) -> list[exp.Expr]:
    from_ = select.args.get("from_")
    entries = [] if from_ is None else [from_.this] + [j.this for j in from_.this.args.get("joins") or []]
    return entries + [j.this for j in select.args.get("joins") or []]


def _same_table(entry: exp.Expr, target: exp.Table) -> bool:
    return (isinstance(entry, exp.Table) and entry.name.lower() == target.name.lower()
            and entry.db.lower() == target.db.lower())


def _joined(tree: exp.Update, target: str, alias: str) -> bool:
    """Whether some `target.x = alias.y` appears in WHERE or an ON clause: a self-join."""
    pair = {target.lower(), alias.lower()}
    for eq in tree.find_all(exp.EQ):
        sides = (eq.this, eq.expression)
        if all(isinstance(s, exp.Column) for s in sides) and {s.table.lower() for s in sides} == pair:
            return True
    return False
