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
    clause of an UPDATE statement" — refused with Redshift's error. The other rules (the target
    may appear again in FROM only under an alias, with its join condition spelled out; a column
    name shared by the target and a FROM entry must be qualified) are Postgres's own, and its
    errors ("table name … specified more than once", "column reference … is ambiguous") say so."""
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
            raise TranslateError(
                f"UPDATE {tree.this.name}: the target table appears again in FROM as {entry.alias} with no join "
                f"condition between {tree.this.alias_or_name} and {entry.alias}; spell the self-join out "
                f"(e.g. {tree.this.alias_or_name}.id = {entry.alias}.id) or use a subquery in WHERE")
    return tree


def _same_table(entry: exp.Expr, target: exp.Table) -> bool:
    return (isinstance(entry, exp.Table) and entry.name.lower() == target.name.lower()
            and entry.db.lower() == target.db.lower())


def _joined(tree: exp.Update, target: str, alias: str) -> bool:
    """Whether some `target.x = alias.y` appears in WHERE or an ON clause.

    AMBIG (r_UPDATE usage notes: "If your UPDATE statement requires a self-join to the target
    table, you need to specify the join condition"; c_Examples_of_UPDATE_statements shows
    `FROM event JOIN category cat … WHERE cat.catgroup = 'Concerts'` updating only the Concerts
    row, which neither a self-join nor Postgres's cross join gives): without the condition the
    statement is refused rather than run with a possibly different result."""
    pair = {target.lower(), alias.lower()}
    for eq in tree.find_all(exp.EQ):
        sides = (eq.this, eq.expression)
        if all(isinstance(s, exp.Column) for s in sides) and {s.table.lower() for s in sides} == pair:
            return True
    return False
