"""What a query can see: the columns its FROM entries make visible, and the type of an expression.

Why: Redshift's implicit conversions (c_Supported_data_types, "Type compatibility and
conversion") and its select-alias resolution (r_SELECT_list, r_WHERE_clause) depend on which
columns exist and of what type. Base tables are asked of the catalog (compat/catalog.py);
derived tables and CTEs are read from the statement itself. Anything not known is None, and
the rules that need it then leave the statement as written.
"""
from __future__ import annotations

from sqlglot import exp

from dwhkit.compat.nodes import (GetDate, SuperCast, SuperCompare, SuperScalar, SuperText, SuperUnnest,
                                 builds_super)

NUMERIC = {"int", "decimal", "float"}
DATETIME = {"date", "timestamp", "timestamptz", "time"}


def category(type_name: str | None) -> str | None:
    """The family of a type name (Postgres spelling or sqlglot's): char, int, decimal, float,
    date, timestamp, timestamptz, time, bool; 'unknown' for an untyped string literal."""
    if type_name is None:
        return None
    t = type_name.lower().strip()
    if t == "unknown":
        return "unknown"
    if t.startswith(("character", "varchar", "char", "text", "bpchar", "nvarchar", "nchar", "string")):
        return "char"
    if t.startswith(("numeric", "decimal")):
        return "decimal"
    if t.split("(")[0] in ("smallint", "integer", "bigint", "int", "int2", "int4", "int8", "tinyint"):
        return "int"
    if t.startswith(("real", "double", "float")):
        return "float"
    if t.startswith("timestamp with time zone") or t.startswith("timestamptz"):
        return "timestamptz"
    if t.startswith("timestamp"):
        return "timestamp"
    if t == "date":
        return "date"
    if t.startswith("time"):
        return "time"
    if t in ("boolean", "bool"):
        return "bool"
    return None


_TEXT_RESULTS = (exp.DPipe, exp.Concat, exp.Upper, exp.Lower, exp.Substring, exp.Trim, exp.Left,
                 exp.Right, exp.Pad, exp.Replace, exp.Reverse, exp.Initcap, exp.SplitPart, exp.Repeat)
_WIDER = ["int", "decimal", "float"]


class Scope:
    """Column and expression types for one statement, given a catalog (or None)."""

    def __init__(self, catalog=None):
        self.catalog = catalog
        # id → (query, types): the query is kept so that its id cannot be reused meanwhile
        self._outputs: dict[int, tuple[exp.Expr, dict | None]] = {}

    # -- tables --------------------------------------------------------------------------------
    def table_columns(self, table: exp.Table) -> dict[str, str] | None:
        """The catalog's columns of a base table (None when unknown or no catalog)."""
        if self.catalog is None or not isinstance(table, exp.Table) or not table.name:
            return None
        name = table.name.lower().lstrip("#")
        schema = table.db.lower() or None
        cols = self.catalog.columns(name, schema)
        return None if cols is None else {k.lower(): v for k, v in cols.items()}

    def source_columns(self, source: exp.Expr, owner: exp.Expr) -> dict[str, str | None] | None:
        """Columns of one FROM entry: a CTE or derived table from the statement, a base table
        from the catalog; None when unknown."""
        if isinstance(source, exp.Table):
            cte = find_cte(owner, source.name) if not source.db else None
            if cte is not None:
                return self.output_types(cte.this)
            return self.table_columns(source)
        if isinstance(source, exp.Subquery):
            return self.output_types(source.this)
        if isinstance(source, SuperUnnest):  # an element of a SUPER array, and its index
            index = source.args.get("index")
            return {source.args["alias"].name.lower(): "jsonb", **({index.name.lower(): "integer"} if index else {})}
        return None

    def sources(self, query: exp.Expr) -> dict[str, dict | None]:
        """FROM entries of a SELECT / UPDATE / DELETE: visible name → columns (or None)."""
        entries: list[exp.Expr] = []
        if isinstance(query, (exp.Update, exp.Delete)) and isinstance(query.this, exp.Table):
            entries.append(query.this)
        from_ = query.args.get("from_")
        if from_ is not None:
            entries.append(from_.this)
            entries += [j.this for j in from_.this.args.get("joins") or []]
        entries += [j.this for j in query.args.get("joins") or []]
        if isinstance(query, exp.Delete):
            entries += list(query.args.get("using") or [])
        out: dict[str, dict | None] = {}
        for entry in entries:
            out[entry.alias_or_name.lower()] = self.source_columns(entry, query)
        return out

    def visible_columns(self, query: exp.Expr) -> set[str] | None:
        """Every column name the FROM entries make visible, or None if any entry is unknown."""
        names: set[str] = set()
        for cols in self.sources(query).values():
            if cols is None:
                return None
            names.update(cols)
        return names

    def expand_star(self, select: exp.Select) -> list[exp.Expr] | None:
        """The select list with each * (or t.*) written out as its columns, qualified, in FROM
        order as * lists them; None when a FROM entry's columns are unknown or a join's
        USING/NATURAL changes what * lists."""
        joins = select.args.get("joins") or []
        if any(j.args.get("using") or j.args.get("method") or j.args.get("kind") == "NATURAL" for j in joins):
            return None
        sources = self.sources(select)
        if any(cols is None for cols in sources.values()):
            return None
        expanded: list[exp.Expr] = []
        for proj in select.expressions:
            if isinstance(proj, exp.Star) or (isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star)):
                only = proj.table.lower() if isinstance(proj, exp.Column) else ""
                for alias, cols in sources.items():
                    if not only or alias == only:
                        expanded += [exp.Column(this=exp.to_identifier(c), table=exp.to_identifier(alias))
                                     for c in cols]
            else:
                expanded.append(proj)
        return expanded

    def output_types(self, query: exp.Expr) -> dict[str, str | None] | None:
        """Output column name → type of a query (the first branch of a set operation)."""
        key, asked = id(query), query
        if key in self._outputs:
            return self._outputs[key][1]
        self._outputs[key] = (asked, None)  # guards recursive CTEs
        while isinstance(query, (exp.Union, exp.Intersect, exp.Except)):
            query = query.this
        while isinstance(query, exp.Subquery):
            query = query.this
        result = None
        if isinstance(query, exp.Select):
            result = {}
            for proj in query.expressions:
                if isinstance(proj, exp.Star) or (isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star)):
                    table = proj.table.lower() if isinstance(proj, exp.Column) else ""
                    for name, cols in self.sources(query).items():
                        if table and name != table:
                            continue
                        if cols is None:
                            result = None
                            break
                        result.update(cols)
                    if result is None:
                        break
                    continue
                if proj.alias_or_name:
                    result[proj.alias_or_name.lower()] = self.type_of(proj)
        self._outputs[key] = (asked, result)
        return result

    # -- assignments ---------------------------------------------------------------------------
    def assignments(self, statement: exp.Expr, on_star=None) -> list[tuple[exp.Expr, str | None]]:
        """(value, column type) for each value an INSERT (VALUES or SELECT) or an UPDATE ... SET
        assigns to a column the catalog knows; [] when the target table is unknown.
        ``on_star(select, names, columns, scope)`` may write out a SELECT * first."""
        if isinstance(statement, exp.Update):
            columns = self.table_columns(statement.this)
            if not columns:
                return []
            return [(eq.expression, columns.get(eq.this.name.lower())) for eq in statement.expressions
                    if isinstance(eq, exp.EQ) and isinstance(eq.this, exp.Column)]
        if not isinstance(statement, exp.Insert):
            return []
        target = statement.this
        columns = self.table_columns(target.this if isinstance(target, exp.Schema) else target)
        if not columns:
            return []
        names = [c.name.lower() for c in target.expressions] if isinstance(target, exp.Schema) else list(columns)
        source = statement.expression
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
                elif isinstance(q, exp.Select):
                    if _has_star(q) and on_star is not None:
                        on_star(q, names, columns, self)
                    if not _has_star(q):
                        rows.append(list(q.expressions))
        return [(value, columns.get(name)) for row in rows for name, value in zip(names, row)]

    # -- expressions ---------------------------------------------------------------------------
    def column_type(self, col: exp.Column) -> str | None:
        """The type of a column reference, looked up in its query and then the enclosing ones."""
        name = col.name.lower()
        table = col.table.lower()
        query = col.find_ancestor(exp.Select, exp.Update, exp.Delete)
        while query is not None:
            sources = self.sources(query)
            if table:
                if table in sources:
                    cols = sources[table]
                    return None if cols is None else cols.get(name)
            else:
                hits = [cols[name] for cols in sources.values() if cols is not None and name in cols]
                if len(hits) == 1:
                    return hits[0]
                if hits or any(cols is None for cols in sources.values()):
                    return None  # ambiguous, or maybe in a table we cannot see
            query = query.parent.find_ancestor(exp.Select, exp.Update, exp.Delete) if query.parent else None
        return None

    def type_of(self, node: exp.Expr | None) -> str | None:
        """The type of an expression as far as the statement and the catalog tell; None if unknown."""
        if node is None:
            return None
        if isinstance(node, (exp.Alias, exp.Paren)):
            return self.type_of(node.this)
        if isinstance(node, exp.Column):
            return None if isinstance(node.this, exp.Star) else self.column_type(node)
        if builds_super(node):
            return "jsonb"  # SUPER is jsonb (compat/semistructured.py)
        if isinstance(node, SuperCast):
            return node.args["to"].sql(dialect="postgres")
        if isinstance(node, SuperCompare):
            return "boolean"
        if isinstance(node, SuperText):
            return "text"
        if isinstance(node, SuperScalar):
            return "numeric" if node.args["kind"] == "number" else "text"
        if isinstance(node, (exp.Cast, exp.TryCast)):
            return node.to.sql(dialect="postgres")
        if isinstance(node, exp.Literal):
            if node.is_string:
                return "unknown"
            text = node.this
            return "numeric" if any(c in text for c in ".eE") else "integer"
        if isinstance(node, exp.Boolean):
            return "boolean"
        if isinstance(node, _TEXT_RESULTS):
            return "text"
        if isinstance(node, (exp.Length, exp.StrPosition)):
            return "integer"
        if isinstance(node, exp.Count):
            return "bigint"
        if isinstance(node, exp.CurrentDate):
            return "date"
        if isinstance(node, (exp.AddMonths, exp.TimestampTrunc, exp.DateTrunc, GetDate)):
            return "timestamp"  # r_ADD_MONTHS, r_DATE_TRUNC, r_GETDATE: TIMESTAMP
        if isinstance(node, exp.TsOrDsAdd):
            inner = self.type_of(node.this)
            return inner if category(inner) == "time" else "timestamp"  # r_DATEADD_function
        if isinstance(node, exp.Neg):
            return self.type_of(node.this)
        if isinstance(node, (exp.Min, exp.Max)):
            return self.type_of(node.this)
        if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)):
            a, b = category(self.type_of(node.this)), category(self.type_of(node.expression))
            if a in NUMERIC and b in NUMERIC:
                return {"int": "bigint", "decimal": "numeric", "float": "double precision"}[
                    max(a, b, key=_WIDER.index)]
            return None
        if isinstance(node, exp.Case):
            for branch in [*(i.args.get("true") for i in node.args.get("ifs") or []), node.args.get("default")]:
                t = self.type_of(branch)
                if t not in (None, "unknown"):
                    return t
            return None
        if isinstance(node, exp.Coalesce):
            for arg in [node.this, *node.expressions]:
                t = self.type_of(arg)
                if t not in (None, "unknown"):
                    return t
        return None


def _has_star(select: exp.Select) -> bool:
    return any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star))
               for p in select.expressions)


def find_cte(node: exp.Expr, name: str):
    """The CTE called `name` visible from `node`, or None."""
    while node is not None:
        with_ = node.args.get("with_") or node.args.get("with")
        if with_:
            for cte in with_.expressions:
                if cte.alias_or_name.lower() == name.lower():
                    return cte
        node = node.parent
    return None
