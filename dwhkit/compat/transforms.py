"""AST rewrites applied to every parsed statement before Postgres SQL is generated.

They fix what is a matter of scope or naming rather than of one function: identifier case,
#temp names, lateral column aliases, and types outside column definitions.
"""
from __future__ import annotations

import re

from sqlglot import exp

from dwhkit.compat import (coerce, ddl, decimals, names, outer_join, pivot, refusals, resolve, semistructured,
                           varbyte)
from dwhkit.compat.scope import Scope, find_cte
from dwhkit.errors import TranslateError


def fold_identifiers(tree: exp.Expr) -> exp.Expr:
    """r_names: Redshift folds identifiers to lower case, quoted ones too (unless
    enable_case_sensitive_identifier is on, which dwhkit does not emulate), so "timeStamp"
    names the column timestamp. A leading # (temporary table, r_CREATE_TABLE_NEW) is dropped:
    Postgres finds temporary tables first on the search path, as Redshift does.
    """
    for ident in tree.find_all(exp.Identifier):
        if isinstance(ident.parent, exp.Placeholder):
            continue  # psycopg2's %(name)s is case-sensitive
        name = ident.this.lower() if isinstance(ident.this, str) else ident.this
        if isinstance(name, str) and name.startswith("#"):
            name = name[1:]
        ident.set("this", name)
    return tree


def _source_columns(select: exp.Select) -> set[str]:
    """Names the statement itself shows to be FROM columns: qualified references (t.col) and
    the output names of derived tables and CTEs in FROM."""
    names = {c.name.lower() for c in select.find_all(exp.Column) if c.table}
    sources = []
    from_ = select.args.get("from_") or select.args.get("from")
    if from_:
        sources.append(from_.this)
    sources += [j.this for j in select.args.get("joins") or []]
    for src in sources:
        query = src.this if isinstance(src, exp.Subquery) else None
        if isinstance(src, exp.Table):
            cte = find_cte(select, src.name)
            query = cte.this if cte else None
        if isinstance(query, exp.Query):
            names.update(n.lower() for n in query.named_selects)
    return names


def lateral_aliases(tree: exp.Expr, scope: Scope | None = None) -> exp.Expr:
    """r_SELECT_list: a select item may use an alias defined earlier in the same list; a
    same-named FROM column wins. Postgres has no such scope, so the alias is inlined.

    AMBIG (in dwhkit, not in Redshift): whether a name is also a FROM column of a base table is
    known only to the catalog. We treat it as a FROM column when the statement shows it is one
    (qualified anywhere as t.name, an output of a derived table or CTE, or used inside the very
    expression it aliases, as in TRIM(email) AS email); otherwise the alias is used.
    """
    for select in list(tree.find_all(exp.Select)):
        known = _source_columns(select)
        visible = scope.visible_columns(select) if scope is not None else None
        known |= visible or set()  # with a catalog, the FROM columns are known exactly
        aliases: dict[str, exp.Expr] = {}
        for proj in select.expressions:
            for col in list(proj.find_all(exp.Column)):
                if col.table or col.find_ancestor(exp.Select) is not select:
                    continue
                name = col.name.lower()
                if name in aliases and name not in known:
                    col.replace(exp.Paren(this=aliases[name].copy()))
            if isinstance(proj, exp.Alias):
                name = proj.alias.lower()
                uses_itself = any(c.name.lower() == name and not c.table for c in proj.this.find_all(exp.Column))
                if uses_itself:
                    known.add(name)
                aliases.setdefault(name, proj.this)
    return tree


def types(tree: exp.Expr) -> exp.Expr:
    """VARCHAR(MAX) and friends wherever a type is named outside a column definition."""
    for dt in list(tree.find_all(exp.DataType)):
        if isinstance(dt.parent, exp.ColumnDef):
            continue
        new = ddl.any_type(dt)
        if new is not dt:
            dt.replace(new)
    return tree


def nul_in_literals(tree: exp.Expr) -> exp.Expr:
    """A string literal written with the escape \\0 (r_STRTOL's example STRTOL('\\0', 2) is 0): the
    Redshift reader turns it into a NUL character, which PostgreSQL cannot hold in text (the
    statement fails to parse). AMBIG: no page says what a NUL in a literal means; PostgreSQL 8.0,
    which Redshift derives from, kept strings NUL-terminated, so the literal ends at the NUL —
    '\\0' is '' and STRTOL('', 2) is 0, as the page prints."""
    for lit in tree.find_all(exp.Literal):
        if lit.is_string and "\x00" in lit.this:
            lit.set("this", lit.this.split("\x00", 1)[0])
    return tree


_GERMAN_DATE = re.compile(r"^(\s*)(\d{1,2})\.(\d{1,2})\.(\d{4})(?=$|[\sT])")
_DATETIME_TYPES = (exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ)


def german_dates(tree: exp.Expr) -> exp.Expr:
    """r_Datetime_types lists ``17.12.1997 07:37:16.00 PST`` (dd.mm.yyyy, the "German" style) among
    TIMESTAMPTZ inputs; PostgreSQL reads a dotted date in the DateStyle order (MDY: month 17, an
    error). A string literal read as a DATE, TIMESTAMP or TIMESTAMPTZ that starts with dd.mm.yyyy is
    written in ISO order instead; every other literal is left to PostgreSQL."""
    for cast in tree.find_all(exp.Cast):
        lit = cast.this
        if not (isinstance(lit, exp.Literal) and lit.is_string and cast.to.is_type(*_DATETIME_TYPES)):
            continue
        m = _GERMAN_DATE.match(lit.this)
        if m:
            lead, day, month, year = m.groups()
            lit.set("this", f"{lead}{year}-{int(month):02d}-{int(day):02d}{lit.this[m.end():]}")
    return tree


def top_and_limit(tree: exp.Expr) -> exp.Expr:
    """r_SELECT_list: TOP n is LIMIT n; using both is an error."""
    for select in tree.find_all(exp.Select):
        if select.args.get("top") is not None and select.args.get("limit") is not None:
            raise TranslateError("TOP and LIMIT cannot be used in the same query")
    return tree


def rewrite(tree: exp.Expr, catalog=None) -> exp.Expr:
    """Every AST rewrite, in order. ``catalog`` (compat.catalog.Catalog or None) gives the column
    types the name-resolution and implicit-conversion rules need; each pass gets a fresh Scope
    because the passes before it change the tree."""
    semistructured.column_types(tree)  # SUPER columns are JSONB before ddl.py judges the types
    if isinstance(tree, exp.Create):
        ddl.create(tree)
    elif isinstance(tree, exp.Alter):
        ddl.alter(tree)
    decimals.column_ranges(tree)
    top_and_limit(tree)
    nul_in_literals(tree)
    german_dates(tree)
    refusals.check(tree)
    semistructured.rewrite(tree, Scope(catalog))  # before name resolution reads c.a.b as a table's column
    pivot.rewrite(tree, Scope(catalog))
    resolve.update_from(tree)
    resolve.subquery_aliases(tree)
    outer_join.oracle_outer_joins(tree, Scope(catalog))
    resolve.clause_aliases(tree, Scope(catalog))
    lateral_aliases(tree, Scope(catalog))
    types(tree)  # before the conversions: the casts they write (e.g. BPCHAR) are Postgres types already
    coerce.implicit_conversions(tree, Scope(catalog))
    decimals.result_types(tree, Scope(catalog))
    varbyte.operators(tree, Scope(catalog))
    names.default_names(tree)
    semistructured.results(tree, Scope(catalog))  # after the names: the client's view of SUPER columns
    fold_identifiers(tree)
    return tree
