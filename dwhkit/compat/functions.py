"""Postgres SQL for the Redshift functions whose results differ from PostgreSQL's.

Each function here is a generator TRANSFORM (self = the Postgres generator, e = the node).
Helpers that need a PL/pgSQL body (STRTOL, JSON with null_if_invalid, AVG of integers) are
asked for with `need(self, name)`; `helpers.py` defines them in pg_temp.
"""
from __future__ import annotations

from sqlglot import exp

from dwhkit.errors import TranslateError, UnsupportedError

# r_Dateparts_for_datetime_functions: every Redshift spelling → PostgreSQL's field name.
_PARTS = {
    "millennium": ("millennium", "millennia", "mil", "mils"),
    "century": ("century", "centuries", "c", "cent", "cents"),
    "decade": ("decade", "decades", "dec", "decs"),
    "epoch": ("epoch",),
    "year": ("year", "years", "y", "yr", "yrs"),
    "quarter": ("quarter", "quarters", "qtr", "qtrs"),
    "month": ("month", "months", "mon", "mons"),
    "week": ("week", "weeks", "w"),
    "dow": ("dayofweek", "dow", "dw", "weekday"),
    "doy": ("dayofyear", "doy", "dy", "yearday"),
    "day": ("day", "days", "d"),
    "hour": ("hour", "hours", "h", "hr", "hrs"),
    # Redshift's `m` is MINUTE, not month.
    "minute": ("minute", "minutes", "m", "min", "mins"),
    "second": ("second", "seconds", "s", "sec", "secs"),
    "milliseconds": ("millisecond", "milliseconds", "ms", "msec", "msecs", "msecond", "mseconds",
                     "millisec", "millisecs", "millisecon"),
    "microseconds": ("microsecond", "microseconds", "microsec", "microsecs", "microsecond",
                     "usecond", "useconds", "us", "usec", "usecs"),
    "timezone": ("timezone",),
    "timezone_hour": ("timezone_hour",),
    "timezone_minute": ("timezone_minute",),
}
PART = {alias: canon for canon, aliases in _PARTS.items() for alias in aliases}


def part_name(node: exp.Expr | None, func: str) -> str:
    """The PostgreSQL field name for a Redshift date part given as a word or a string."""
    if node is None:
        raise TranslateError(f"{func}: missing date part")
    raw = node.name if isinstance(node, (exp.Literal, exp.Var, exp.Column, exp.Identifier)) else node.sql()
    try:
        return PART[raw.lower()]
    except KeyError:
        raise UnsupportedError(f"{func}: unknown date part {raw!r}") from None


def _ts(self, node: exp.Expr) -> str:
    return f"CAST({self.sql(node)} AS TIMESTAMP)"


def need(self, helper: str) -> None:
    """Record that the generated SQL calls the pg_temp helper `helper`."""
    if not hasattr(self, "dwhkit_helpers"):
        self.dwhkit_helpers = set()
    self.dwhkit_helpers.add(helper)


# -- DATEDIFF ----------------------------------------------------------------------------------
_EPOCH_UNITS = {"hour": 3600, "minute": 60, "second": 1}


def datediff_sql(self, e: exp.Expr) -> str:
    """r_DATEDIFF_function: the number of `part` boundaries crossed going from a to b.

    AMBIG (semantics §8: which weekday starts a week): weeks start on Monday, the same boundary
    DATE_TRUNC('week') uses (r_DATE_TRUNC), so datediff(week, sun, mon) = 1.
    """
    unit = part_name(e.args.get("unit") or exp.var("day"), "DATEDIFF")
    a, b = _ts(self, e.expression), _ts(self, e.this)
    if unit == "year":
        body = f"DATE_PART('year', {b}) - DATE_PART('year', {a})"
    elif unit == "quarter":
        body = (f"(DATE_PART('year', {b}) * 4 + DATE_PART('quarter', {b})) - "
                f"(DATE_PART('year', {a}) * 4 + DATE_PART('quarter', {a}))")
    elif unit == "month":
        body = (f"(DATE_PART('year', {b}) * 12 + DATE_PART('month', {b})) - "
                f"(DATE_PART('year', {a}) * 12 + DATE_PART('month', {a}))")
    elif unit == "week":
        body = f"(CAST(DATE_TRUNC('week', {b}) AS DATE) - CAST(DATE_TRUNC('week', {a}) AS DATE)) / 7"
    elif unit == "day":
        body = f"CAST({b} AS DATE) - CAST({a} AS DATE)"
    elif unit in _EPOCH_UNITS:
        body = (f"(EXTRACT(EPOCH FROM DATE_TRUNC('{unit}', {b})) - "
                f"EXTRACT(EPOCH FROM DATE_TRUNC('{unit}', {a}))) / {_EPOCH_UNITS[unit]}")
    elif unit in ("milliseconds", "microseconds"):
        scale = 1000 if unit == "milliseconds" else 1000000
        trunc = unit[:-1]
        body = (f"(EXTRACT(EPOCH FROM DATE_TRUNC('{trunc}', {b})) - "
                f"EXTRACT(EPOCH FROM DATE_TRUNC('{trunc}', {a}))) * {scale}")
    elif unit in ("decade", "century", "millennium"):
        span = {"decade": 10, "century": 100, "millennium": 1000}[unit]
        body = (f"FLOOR((DATE_PART('year', {b}) - 1) / {span}) - FLOOR((DATE_PART('year', {a}) - 1) / {span})"
                if unit != "decade" else
                f"FLOOR(DATE_PART('year', {b}) / 10) - FLOOR(DATE_PART('year', {a}) / 10)")
    else:
        raise UnsupportedError(f"DATEDIFF: date part {unit!r} is not supported")
    return f"CAST(ROUND({body}) AS BIGINT)"


# -- DATEADD -----------------------------------------------------------------------------------
def dateadd_sql(self, e: exp.Expr) -> str:
    """r_DATEADD_function: a TIMESTAMP; month steps clamp the day (Apr 30 + 1 month = May 30).

    Year steps differ: dateadd(year, 1, '2016-02-29') is 2017-03-01 while month, 12 gives
    2017-02-28, so a Feb 29 that lands in a non-leap year rolls on to Mar 1.
    """
    unit = part_name(e.args.get("unit") or exp.var("day"), "DATEADD")
    x, n = _ts(self, e.this), self.sql(e.expression)
    if unit == "year":
        moved = f"{x} + ({n}) * INTERVAL '1 year'"
        return (f"({moved} + CASE WHEN TO_CHAR({x}, 'MM-DD') = '02-29' AND TO_CHAR({moved}, 'MM-DD') <> '02-29' "
                f"THEN INTERVAL '1 day' ELSE INTERVAL '0 day' END)")
    step = {
        "quarter": "3 month", "week": "7 day", "milliseconds": "1 millisecond",
        "microseconds": "1 microsecond", "decade": "10 year", "century": "100 year",
        "millennium": "1000 year",
    }.get(unit, f"1 {unit}")
    if unit in ("dow", "doy", "epoch") or unit.startswith("timezone"):
        raise UnsupportedError(f"DATEADD: date part {unit!r} is not supported")
    return f"({x} + ({n}) * INTERVAL '{step}')"


# -- DATE_TRUNC, EXTRACT, DATE_PART --------------------------------------------------------------
def date_trunc_sql(self, e: exp.Expr) -> str:
    """r_DATE_TRUNC: TIMESTAMP result (PostgreSQL would give TIMESTAMPTZ for a DATE)."""
    unit = part_name(e.args.get("unit"), "DATE_TRUNC")
    if unit in ("dow", "doy", "epoch") or unit.startswith("timezone"):
        raise UnsupportedError(f"DATE_TRUNC: date part {unit!r} is not supported")
    return f"DATE_TRUNC('{unit}', {_ts(self, e.this)})"


def _field(self, unit: str, x: exp.Expr, func: str) -> str:
    # a bare string literal is a timestamp to Redshift; PostgreSQL finds date_part ambiguous
    src = _ts(self, x) if isinstance(x, exp.Literal) and x.is_string else self.sql(x)
    if unit == "decade":
        # r_DATE_PART_function: decade = year / 10 + 1 (2000 → 201; PostgreSQL says 200)
        return f"(FLOOR(DATE_PART('year', {src}) / 10) + 1)"
    return f"DATE_PART('{unit}', {src})"


def extract_sql(self, e: exp.Extract) -> str:
    """r_EXTRACT_function: integers; seconds without their fraction."""
    unit = part_name(e.this, "EXTRACT")
    value = _field(self, unit, e.expression, "EXTRACT")
    if unit == "epoch":
        return value
    if unit == "second":
        return f"CAST(FLOOR({value}) AS INTEGER)"
    return f"CAST({value} AS INTEGER)"


def date_part_sql(self, e: exp.Expr) -> str:
    """r_DATE_PART_function: DOUBLE PRECISION, seconds with their fraction."""
    unit = part_name(e.this, "DATE_PART")
    return _field(self, unit, e.expression, "DATE_PART")


# -- LISTAGG -----------------------------------------------------------------------------------
def _listagg_parts(self, agg: exp.GroupConcat):
    this = agg.this
    distinct = isinstance(this, exp.Distinct)
    sep = agg.args.get("separator")
    if distinct:
        # LISTAGG(DISTINCT e, 'd') is read as DISTINCT over (e, 'd')
        if len(this.expressions) == 2 and sep is None:
            sep = this.expressions[1]
        elif len(this.expressions) != 1:
            raise TranslateError("LISTAGG: DISTINCT takes one expression")
        this = this.expressions[0]
    # r_LISTAGG: NULLs and empty strings are skipped; no delimiter by default.
    value = f"NULLIF(CAST({self.sql(this)} AS TEXT), '')"
    if distinct:
        # r_LISTAGG: DISTINCT ignores trailing spaces
        value = f"NULLIF(RTRIM(CAST({self.sql(this)} AS TEXT)), '')"
    return distinct, value, self.sql(sep) if sep is not None else "''"


def listagg_sql(self, e: exp.GroupConcat) -> str:
    distinct, value, sep = _listagg_parts(self, e)
    return f"STRING_AGG({'DISTINCT ' if distinct else ''}{value}, {sep})"


def within_group_sql(self, e: exp.WithinGroup) -> str:
    agg = e.this
    if not isinstance(agg, exp.GroupConcat):
        return self.withingroup_sql(e)
    if isinstance(e.parent, exp.Window):
        raise UnsupportedError("LISTAGG ... WITHIN GROUP as a window function (OVER) is not supported")
    distinct, value, sep = _listagg_parts(self, agg)
    order = e.expression
    keys = []
    for ordered in order.expressions:
        key = ordered
        if distinct:
            # PostgreSQL: with DISTINCT, ORDER BY keys must be the aggregated expression
            if ordered.this != agg.this.expressions[0]:
                raise UnsupportedError("LISTAGG(DISTINCT …) ordered by another expression is not supported")
            key = ordered.copy()
            key.set("this", exp.maybe_parse(value, dialect="postgres"))
        keys.append(self.sql(key))
    return f"STRING_AGG({'DISTINCT ' if distinct else ''}{value}, {sep} ORDER BY {', '.join(keys)})"


# -- the rest ----------------------------------------------------------------------------------
def strtol_sql(self, e: exp.FromBase) -> str:
    """r_STRTOL: BIGINT; blanks, a sign and (base 16) 0x allowed; '' → 0; NULL → NULL."""
    need(self, "strtol")
    return f"pg_temp.dwhkit_strtol(CAST({self.sql(e.this)} AS TEXT), {self.sql(e.expression)})"


def concat_sql(self, e: exp.Concat) -> str:
    """r_CONCAT: exactly two arguments; NULL when either is NULL (PostgreSQL skips NULLs)."""
    args = e.expressions
    if len(args) != 2:
        raise TranslateError(f"CONCAT takes exactly 2 arguments in Redshift, got {len(args)}")
    parts = [self.sql(a) if isinstance(a, exp.Literal) and a.is_string else f"CAST({self.sql(a)} AS TEXT)"
             for a in args]
    return f"({parts[0]} || {parts[1]})"


def current_timestamp_sql(self, e: exp.CurrentTimestamp) -> str:
    if e.args.get("sysdate"):
        # r_SYSDATE: transaction start, TIMESTAMP without zone, cluster time is UTC
        return "CAST(NOW() AT TIME ZONE 'UTC' AS TIMESTAMP)"
    return "CURRENT_TIMESTAMP"


def json_extract_path_text_sql(self, e: exp.Expr) -> str:
    """JSON_EXTRACT_PATH_TEXT: a missing path gives NULL; invalid JSON is an error unless the
    last argument (null_if_invalid) is true, then NULL."""
    args = list(e.expressions)
    null_if_invalid = False
    if args and isinstance(args[-1], exp.Boolean):
        null_if_invalid = args.pop().this
    if not args:
        raise TranslateError("JSON_EXTRACT_PATH_TEXT needs at least one path element")
    if len(args) > 5:
        raise TranslateError("JSON_EXTRACT_PATH_TEXT: the path can be at most five levels deep")
    source = self.sql(e.this)
    if null_if_invalid:
        need(self, "try_json")
        doc = f"pg_temp.dwhkit_try_json(CAST({source} AS TEXT))"
    else:
        doc = f"CAST({source} AS JSON)"
    path = ", ".join(f"CAST({self.sql(a)} AS TEXT)" for a in args)
    return f"JSON_EXTRACT_PATH_TEXT({doc}, {path})"


def avg_sql(self, e: exp.Avg) -> str:
    """r_AVG: AVG of a SMALLINT/INTEGER/BIGINT is a BIGINT, truncated toward zero.

    The argument's type is only known to the server, so AVG becomes pg_temp.dwhkit_avg, an
    aggregate overloaded by argument type (integers truncate; other types as PostgreSQL).
    """
    this = e.this
    if isinstance(this, exp.Distinct):
        raise UnsupportedError("AVG(DISTINCT …) is not supported")
    need(self, "avg")
    return f"pg_temp.dwhkit_avg({self.sql(this)})"


# r_REGEXP_REPLACE: parameters 'c' (case-sensitive, the default), 'i' (insensitive) and 'p' (PCRE;
# PostgreSQL's advanced regular expressions accept the Perl forms Redshift's examples use).
_REGEXP_FLAGS = {"c": "c", "i": "i", "p": ""}


def regexp_flags(node: exp.Expr | None, func: str) -> str:
    """PostgreSQL flags for a Redshift regex `parameters` literal; anything else is refused."""
    if node is None:
        return ""
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise UnsupportedError(f"{func}: parameters must be a string literal")
    out = ""
    for ch in node.name:
        if ch not in _REGEXP_FLAGS:
            raise UnsupportedError(f"{func}: parameter {ch!r} is not supported (only 'c', 'i', 'p')")
        out += _REGEXP_FLAGS[ch]
    return out


def regexp_replace_sql(self, e: exp.RegexpReplace) -> str:
    """r_REGEXP_REPLACE: every match is replaced (PostgreSQL replaces only the first unless told),
    from `position` on; the replacement defaults to ''."""
    source, pattern = self.sql(e.this), self.sql(e.expression)
    replacement = self.sql(e.args["replacement"]) if e.args.get("replacement") else "''"
    flags = regexp_flags(e.args.get("modifiers"), "REGEXP_REPLACE")
    if e.args.get("occurrence") is not None:
        raise UnsupportedError("REGEXP_REPLACE: an occurrence argument is not Redshift syntax")
    position = e.args.get("position")
    if position is None:
        return f"REGEXP_REPLACE({source}, {pattern}, {replacement}, '{flags}g')"
    # PostgreSQL 15: regexp_replace(source, pattern, replacement, start, N, flags); N = 0 is every match.
    return f"REGEXP_REPLACE({source}, {pattern}, {replacement}, {self.sql(position)}, 0, '{flags}')"


# -- constructs PostgreSQL lacks: implemented or refused, never dropped ------------------------
def refuse(what: str):
    """A TRANSFORM that raises UnsupportedError naming `what` (instead of sqlglot's warning)."""
    def transform(self, e):
        raise UnsupportedError(f"{what} is not supported")
    return transform


def pivot_sql(self, e: exp.Pivot) -> str:
    """r_FROM_clause-pivot-unpivot-examples: sqlglot's Postgres writer would drop the clause and
    run the bare FROM (UNPIVOT then returns the unpivoted table's own rows)."""
    raise UnsupportedError(f"{'UNPIVOT' if e.args.get('unpivot') else 'PIVOT'} is not supported")


def ignorenulls_sql(self, e: exp.IgnoreNulls) -> str:
    # Reached only where window_sql did not implement it (LAG, LEAD, NTH_VALUE, ...).
    inner = e.this
    name = inner.sql_name() if isinstance(inner, exp.Func) else inner.key.upper()
    raise UnsupportedError(f"IGNORE NULLS on {name} is not supported")


def respectnulls_sql(self, e: exp.RespectNulls) -> str:
    # c_Window_functions: RESPECT NULLS is the default, as in PostgreSQL.
    return self.sql(e.this)


def window_sql(self, e: exp.Window) -> str:
    """r_WF_first_value: FIRST_VALUE/LAST_VALUE(x IGNORE NULLS) is the first/last non-NULL x of
    the frame: ARRAY_AGG(x) FILTER (WHERE x IS NOT NULL) over the same window, indexed.
    r_WF_MEDIAN, r_WF_PERCENTILE_CONT, r_WF_PERCENTILE_DISC: PostgreSQL has no ordered-set
    aggregates as window functions; the partition's values are collected with ARRAY_AGG and a
    pg_temp helper computes the percentile."""
    this = e.this
    if isinstance(this, exp.IgnoreNulls) and isinstance(this.this, (exp.FirstValue, exp.LastValue)):
        value = this.this.this
        agg = exp.Filter(this=exp.ArrayAgg(this=value.copy()),
                         expression=exp.Where(this=exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))))
        w = e.copy()
        w.set("this", agg)
        text = self.window_sql(w)
        if isinstance(this.this, exp.FirstValue):
            return f"({text})[1]"
        return f"({text})[CARDINALITY({text})]"
    if isinstance(this, exp.Median):
        # r_WF_MEDIAN: MEDIAN(x) = PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x)
        this = exp.WithinGroup(this=exp.PercentileCont(this=exp.Literal.number(0.5)),
                               expression=exp.Order(expressions=[exp.Ordered(this=this.this.copy())]))
    if isinstance(this, exp.WithinGroup) and isinstance(this.this, (exp.PercentileCont, exp.PercentileDisc)):
        func = this.this
        name = "PERCENTILE_CONT" if isinstance(func, exp.PercentileCont) else "PERCENTILE_DISC"
        if e.args.get("order") or e.args.get("spec"):
            raise UnsupportedError(f"{name} … OVER (ORDER BY / frame) is not supported (Redshift allows "
                                   "only PARTITION BY)")
        keys = this.expression.expressions
        if len(keys) != 1:
            raise UnsupportedError(f"{name}: WITHIN GROUP takes one ORDER BY expression")
        key = keys[0]
        value = self.sql(key.this)
        if name == "PERCENTILE_CONT":
            value = f"CAST({value} AS DOUBLE PRECISION)"
        w = e.copy()
        w.set("this", exp.ArrayAgg(this=exp.maybe_parse(value, dialect="postgres")))
        frac = self.sql(func.this)
        if key.args.get("desc"):
            if name == "PERCENTILE_DISC":
                raise UnsupportedError("PERCENTILE_DISC … ORDER BY … DESC as a window function is not supported")
            frac = f"1 - ({frac})"
        need(self, "percentile")
        helper = "dwhkit_percentile_cont" if name == "PERCENTILE_CONT" else "dwhkit_percentile_disc"
        return f"pg_temp.{helper}({self.window_sql(w)}, {frac})"
    return self.window_sql(e)


def approx_distinct_sql(self, e: exp.ApproxDistinct) -> str:
    """r_COUNT: APPROXIMATE COUNT(DISTINCT x) has a documented relative error of about 2%; the
    exact count is within that bound."""
    return f"COUNT(DISTINCT {self.sql(e.this)})"
