"""Postgres SQL for the Redshift functions whose results differ from PostgreSQL's.

Each function here is a generator TRANSFORM (self = the Postgres generator, e = the node).
Helpers that need a PL/pgSQL body (STRTOL, JSON with null_if_invalid, AVG of integers) are
asked for with `need(self, name)`; `helpers.py` defines them in pg_temp.
"""
from __future__ import annotations

from sqlglot import exp

from dwhkit.compat import super_functions, varbyte
from dwhkit.compat.helpers import need
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


def _is_timetz(node: exp.Expr) -> bool:
    return isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.TIMETZ


def _is_time(node: exp.Expr) -> bool:
    """A TIME or TIMETZ value the statement shows (TIME '…', CAST(… AS TIME)); the translator
    writes that cast for a TIME column the session catalog knows (compat/coerce.py)."""
    return (isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.TIME) or _is_timetz(node)


def _time_value(self, node: exp.Expr) -> str:
    """r_DATEADD_function, r_DATEDIFF_function (TIMETZ examples): a TIMETZ counts in UTC
    (dateadd(hour, 2, timetz '13:24:55 PST') = 23:24:55+00)."""
    if _is_timetz(node):
        return f"(({self.sql(node)}) AT TIME ZONE 'UTC')"
    return self.sql(node)


def _ts(self, node: exp.Expr) -> str:
    if _is_time(node):
        # r_DATEDIFF_function (TIME examples): a time of day on a fixed date
        value = _time_value(self, node)
        if _is_timetz(node):
            value = f"CAST({value} AS TIME)"
        return f"(DATE '1970-01-01' + {value})"
    return f"CAST({self.sql(node)} AS TIMESTAMP)"




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
    if _is_time(e.this):
        # r_DATEADD_function (TIME examples): a TIME, wrapping past midnight (13:24:55 + 12 h = 01:24:55)
        steps = {"hour": "1 hour", "minute": "1 minute", "second": "1 second",
                 "milliseconds": "1 millisecond", "microseconds": "1 microsecond"}
        if unit not in steps:
            raise UnsupportedError(f"DATEADD: date part {unit!r} on a TIME is not supported")
        return f"({_time_value(self, e.this)} + ({self.sql(e.expression)}) * INTERVAL '{steps[unit]}')"
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
    if func == "EXTRACT" and unit == "milliseconds":
        # r_EXTRACT_function: extract(ms from timestamp '2009-09-09 12:08:43.101') = 101 and from
        # time '18:25:33.123456' = 123 — the milliseconds digits only (PostgreSQL: 43101.000).
        return f"FLOOR(MOD(CAST(DATE_PART('microseconds', {src}) AS NUMERIC), 1000000) / 1000)"
    if func == "EXTRACT" and unit == "microseconds":
        # r_Dateparts_for_datetime_functions ("Variations in results with seconds, milliseconds,
        # and microseconds"): "If the specified datepart is microseconds, seconds and milliseconds
        # are not included" — 18:25:33.123456 → 456 (PostgreSQL: 33123456).
        return f"MOD(CAST(DATE_PART('microseconds', {src}) AS NUMERIC), 1000)"
    if unit in ("milliseconds", "microseconds"):
        # r_DATE_PART_function example: DATE_PART(microsecond, timestamp '20220502 04:05:06.789')
        # = 789000 — the fraction of the second, without the seconds (PostgreSQL: 6789000).
        # AMBIG (the guide contradicts itself: r_Dateparts_for_datetime_functions says DATE_PART
        # "returns the complete seconds portion … regardless of the specified date part"): the
        # page's example decides; ms by the same rule, with its fraction (.789123 → 789.123).
        fraction = f"MOD(CAST(DATE_PART('microseconds', {src}) AS NUMERIC), 1000000)"
        scale = " / 1000" if unit == "milliseconds" else ""
        return f"CAST({fraction}{scale} AS DOUBLE PRECISION)"
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


def listagg_window_sql(self, e: exp.Window) -> str:
    """r_WF_LISTAGG: LISTAGG(x [, d]) [WITHIN GROUP (ORDER BY …)] OVER ([PARTITION BY …]) — every
    row gets its partition's list. PostgreSQL has no ordered STRING_AGG as a window function, so
    the values are collected in order with ARRAY_AGG over the whole partition and joined;
    ARRAY_TO_STRING skips the NULLs (NULL and '' are ignored), and no value at all gives NULL."""
    this = e.this
    agg = this.this if isinstance(this, exp.WithinGroup) else this
    if e.args.get("order") or e.args.get("spec"):
        raise UnsupportedError("LISTAGG … OVER (ORDER BY / frame) is not supported: Redshift's OVER clause for "
                               "LISTAGG takes only PARTITION BY")
    distinct, value, sep = _listagg_parts(self, agg)
    w = e.copy()
    w.set("this", exp.ArrayAgg(this=exp.maybe_parse(value, dialect="postgres")))
    if isinstance(this, exp.WithinGroup):
        w.set("order", this.expression.copy())
        w.set("spec", exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING",
                                     end="UNBOUNDED", end_side="FOLLOWING"))
    if distinct:
        # r_WF_LISTAGG: DISTINCT ignores trailing blanks and "uses the first value encountered"
        need(self, "listagg_distinct")
        return f"pg_temp.dwhkit_listagg_distinct({self.window_sql(w)}, {sep})"
    return f"NULLIF(ARRAY_TO_STRING({self.window_sql(w)}, {sep}), '')"


def within_group_sql(self, e: exp.WithinGroup) -> str:
    agg = e.this
    if not isinstance(agg, exp.GroupConcat):
        return self.withingroup_sql(e)
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


def _nth_non_null_sql(self, e: exp.Window, func: exp.Expr) -> str:
    """r_WF_LAG, r_WF_LEAD, r_WF_NTH with IGNORE NULLS: the offset-th non-NULL value before the row
    (LAG), after it (LEAD), or in the frame (NTH_VALUE) — the non-NULL values of those rows are
    collected in window order with ARRAY_AGG … FILTER and indexed (a missing one is NULL)."""
    value = func.this
    offset = func.args.get("offset")
    if isinstance(func, (exp.Lag, exp.Lead)) and func.args.get("default") is not None:
        raise UnsupportedError(f"{func.sql_name()} … IGNORE NULLS with a default value is not supported")
    n = self.sql(offset) if offset is not None else "1"
    agg = exp.Filter(this=exp.ArrayAgg(this=value.copy()),
                     expression=exp.Where(this=exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))))
    w = e.copy()
    w.set("this", agg)
    if isinstance(func, exp.Lag):
        w.set("spec", exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="1",
                                     end_side="PRECEDING"))
        text = self.window_sql(w)
        return f"({text})[CARDINALITY({text}) - ({n}) + 1]"
    if isinstance(func, exp.Lead):
        w.set("spec", exp.WindowSpec(kind="ROWS", start="1", start_side="FOLLOWING", end="UNBOUNDED",
                                     end_side="FOLLOWING"))
    return f"({self.window_sql(w)})[{n}]"


def _ratio_to_report_sql(self, e: exp.Window, func: exp.Anonymous) -> str:
    """r_WF_RATIO_TO_REPORT: the value over the sum of the values of its partition, FLOAT8 (so an
    INTEGER column is not divided as integers); the OVER clause takes only PARTITION BY."""
    if len(func.expressions) != 1:
        raise UnsupportedError("RATIO_TO_REPORT takes one argument")
    if e.args.get("order") or e.args.get("spec"):
        raise UnsupportedError("RATIO_TO_REPORT … OVER (ORDER BY / frame): the OVER clause cannot contain a "
                               "window ordering or window frame specification")
    value = exp.Cast(this=func.expressions[0].copy(), to=exp.DataType.build("DOUBLE PRECISION"))
    w = e.copy()
    w.set("this", exp.Sum(this=value.copy()))
    # NULLIF: a partition summing to 0 gives NULL rather than a division-by-zero error (AMBIG: the
    # page does not say; every value of such a partition is then 0/0)
    return f"{self.sql(value)} / NULLIF({self.window_sql(w)}, 0)"


def window_sql(self, e: exp.Window) -> str:
    """r_WF_first_value: FIRST_VALUE/LAST_VALUE(x IGNORE NULLS) is the first/last non-NULL x of
    the frame: ARRAY_AGG(x) FILTER (WHERE x IS NOT NULL) over the same window, indexed.
    r_WF_MEDIAN, r_WF_PERCENTILE_CONT, r_WF_PERCENTILE_DISC: PostgreSQL has no ordered-set
    aggregates as window functions; the partition's values are collected with ARRAY_AGG and a
    pg_temp helper computes the percentile."""
    this = e.this
    if isinstance(this, exp.GroupConcat) or (isinstance(this, exp.WithinGroup)
                                             and isinstance(this.this, exp.GroupConcat)):
        return listagg_window_sql(self, e)
    if isinstance(this, exp.IgnoreNulls) and isinstance(this.this, (exp.Lag, exp.Lead, exp.NthValue)):
        return _nth_non_null_sql(self, e, this.this)
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
    if isinstance(this, exp.Anonymous) and this.name.upper() == "RATIO_TO_REPORT":
        return _ratio_to_report_sql(self, e, this)
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


def approx_quantile_sql(self, e: exp.Expr) -> str:
    """r_APPROXIMATE_PERCENTILE_DISC: an approximation of PERCENTILE_DISC; the exact value is within
    its documented error bound."""
    if e.args.get("accuracy") is not None or e.args.get("weight") is not None:
        raise UnsupportedError("APPROXIMATE PERCENTILE_DISC: extra arguments are not supported")
    return f"PERCENTILE_DISC({self.sql(e.args['quantile'])}) WITHIN GROUP (ORDER BY {self.sql(e.this)})"


def approx_distinct_sql(self, e: exp.ApproxDistinct) -> str:
    """r_COUNT: APPROXIMATE COUNT(DISTINCT x) has a documented relative error of about 2%; the
    exact count is within that bound."""
    return f"COUNT(DISTINCT {self.sql(e.this)})"


# -- format strings: TO_CHAR, TO_DATE, TO_TIMESTAMP ----------------------------------------------
def _format_literal(node: exp.Expr | None, func: str) -> str:
    if node is None:
        raise UnsupportedError(f"{func}: a format argument is required")
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise UnsupportedError(f"{func}: the format must be a string literal")
    return node.name


def _outside_quotes(fmt: str) -> str:
    """The format with its "quoted literal text" removed (patterns there are not fields)."""
    out, quoted = [], False
    for ch in fmt:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            out.append(ch)
    return "".join(out)


def is_numeric_model(fmt: str) -> bool:
    """A TO_CHAR format is a numeric model (r_Numeric_formating) when it has digit positions (9, 0)
    and none of the datetime fields (YYYY, DD, HH, MON, SS …) — r_FORMAT_strings' models share no
    other letters that matter here."""
    model = _outside_quotes(fmt).upper()
    return any(c in model for c in "90") and not any(f in model for f in ("Y", "DD", "HH", "MON", "SS", "MI:"))


def _currency(fmt: str) -> str:
    """r_Numeric_formating: L is the currency symbol, $ on Redshift; PostgreSQL prints the
    lc_monetary locale's (nothing in the C locale), so L outside quotes becomes a quoted "$"."""
    out, quoted = [], False
    for ch in fmt:
        if ch == '"':
            quoted = not quoted
        out.append('"$"' if ch in "Ll" and not quoted else ch)
    return "".join(out)


def to_char_sql(self, e: exp.Expr) -> str:
    """r_TO_CHAR, r_FORMAT_strings: Redshift's datetime and numeric format models are
    PostgreSQL's, case included (MON → DEC, Mon → Dec, MONTH → blank-padded), so the format is
    passed through unchanged — never round-tripped through strftime. The one documented
    difference: TZ/tz on a TIMESTAMP (no zone) prints the session zone (UTC), where PostgreSQL
    prints nothing; the value is read as a TIMESTAMPTZ in the session zone, which keeps its
    wall-clock time."""
    fmt = _format_literal(e.args.get("format"), "TO_CHAR")
    value = self.sql(e.this)
    if is_numeric_model(fmt):
        if "l" in _outside_quotes(fmt).lower():
            return f"TO_CHAR({value}, {self.sql(exp.Literal.string(_currency(fmt)))})"
    elif "tz" in _outside_quotes(fmt).lower():
        value = f"CAST({value} AS TIMESTAMPTZ)"
    return f"TO_CHAR({value}, {self.sql(e.args['format'])})"


def _strict(node: exp.Expr | None, func: str) -> bool:
    if node is None:
        return False
    if isinstance(node, exp.Boolean):
        return node.this
    raise UnsupportedError(f"{func}: is_strict must be TRUE or FALSE")


def to_date_sql(self, e: exp.Expr) -> str:
    """r_TO_DATE_function: TO_DATE(string, format [, is_strict]). is_strict TRUE: an out-of-range
    day is an error (as PostgreSQL). FALSE, the default: it overflows into the next month
    ('20010631' → 2001-07-01), done by pg_temp.dwhkit_to_date_lax for numeric day fields at a
    fixed position (YYYY, MM, DD, separators); other overflowing inputs still raise an error."""
    fmt = _format_literal(e.args.get("format"), "TO_DATE")
    source, fmt_sql = f"CAST({self.sql(e.this)} AS TEXT)", self.sql(e.args["format"])
    if _strict(e.args.get("strict"), "TO_DATE") or "DD" not in fmt.upper():
        return f"TO_DATE({source}, {fmt_sql})"
    need(self, "to_date_lax")
    return f"pg_temp.dwhkit_to_date_lax({source}, {fmt_sql})"


def to_timestamp_sql(self, e: exp.Expr) -> str:
    """r_TO_TIMESTAMP: TIMESTAMPTZ from a string and a format (the same model family as
    PostgreSQL's to_timestamp, passed through). is_strict TRUE: an out-of-range field is an error,
    as in PostgreSQL. FALSE, the default: "overflow values are accepted" — hour 24 is the next day
    (pg_temp.dwhkit_to_timestamp_lax, for formats of numeric fields; others still raise)."""
    _format_literal(e.args.get("format"), "TO_TIMESTAMP")
    source, fmt_sql = f"CAST({self.sql(e.this)} AS TEXT)", self.sql(e.args["format"])
    if _strict(e.args.get("strict"), "TO_TIMESTAMP"):
        return f"TO_TIMESTAMP({source}, {fmt_sql})"
    need(self, "to_timestamp_lax")
    return f"pg_temp.dwhkit_to_timestamp_lax({source}, {fmt_sql})"


# -- date functions ------------------------------------------------------------------------------
def _month_end(ts: str) -> str:
    return f"(CAST({ts} AS DATE) = CAST(DATE_TRUNC('month', {ts}) + INTERVAL '1 month' - INTERVAL '1 day' AS DATE))"


def add_months_sql(self, e: exp.Expr) -> str:
    """r_ADD_MONTHS: TIMESTAMP; a date on the last day of its month lands on the last day of the
    result month (Apr 30 + 1 = May 31, Feb 29 + 12 = Feb 28); otherwise the day is clamped."""
    x, n = _ts(self, e.this), self.sql(e.expression)
    end = (f"DATE_TRUNC('month', {x}) + (({n}) + 1) * INTERVAL '1 month' - INTERVAL '1 day' "
           f"+ ({x} - DATE_TRUNC('day', {x}))")
    return f"(CASE WHEN {_month_end(x)} THEN {end} ELSE {x} + ({n}) * INTERVAL '1 month' END)"


def months_between_sql(self, e: exp.Expr) -> str:
    """r_MONTHS_BETWEEN_function: FLOAT8. Whole months from year and month; the fraction from day
    and time over a 31-day month; the same day of month, or both month-ends, give a whole number."""
    a, b = _ts(self, e.this), _ts(self, e.expression)
    whole = (f"((DATE_PART('year', {a}) * 12 + DATE_PART('month', {a})) - "
             f"(DATE_PART('year', {b}) * 12 + DATE_PART('month', {b})))")
    frac = (f"(EXTRACT(EPOCH FROM ({a} - DATE_TRUNC('month', {a}))) - "
            f"EXTRACT(EPOCH FROM ({b} - DATE_TRUNC('month', {b})))) / (31 * 86400)")
    return (f"CAST(CASE WHEN DATE_PART('day', {a}) = DATE_PART('day', {b}) OR ({_month_end(a)} AND {_month_end(b)}) "
            f"THEN {whole} ELSE {whole} + {frac} END AS DOUBLE PRECISION)")


_DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")


def next_day_sql(self, e: exp.Expr) -> str:
    """r_NEXT_DAY: the DATE of the first given weekday after the date (a week later if the date
    is that weekday). The day is a name or its abbreviation, any case."""
    day = e.expression
    if not (isinstance(day, exp.Literal) and day.is_string):
        raise UnsupportedError("NEXT_DAY: the day must be a string literal")
    name = day.name.strip().lower()
    matches = [i for i, d in enumerate(_DAYS) if len(name) >= 2 and d.startswith(name)]
    if len(matches) != 1:
        raise UnsupportedError(f"NEXT_DAY: {day.name!r} is not a day of the week")
    x = f"CAST({_ts(self, e.this)} AS DATE)"
    return f"({x} + CAST(MOD({matches[0]} - CAST(DATE_PART('dow', {x}) AS INTEGER) + 6, 7) + 1 AS INTEGER))"


def date_part_year_sql(self, args) -> str:
    """r_DATE_PART_YEAR: the year of a date, INTEGER."""
    return f"CAST(DATE_PART('year', {_ts(self, args[0])}) AS INTEGER)"


# -- REGEXP_COUNT, REGEXP_INSTR, REGEXP_SUBSTR (PostgreSQL 15 has all three, same argument order) --
def _regexp_params(node: exp.Expr | None, func: str) -> tuple[str, bool]:
    """(PostgreSQL flags, whether 'e' asks for the first subexpression)."""
    if node is None:
        return "", False
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise UnsupportedError(f"{func}: parameters must be a string literal")
    sub = "e" in node.name
    return regexp_flags(exp.Literal.string(node.name.replace("e", "")), func), sub


def _position(self, node: exp.Expr | None) -> str:
    # r_REGEXP_COUNT etc.: a position below 1 searches from the first character.
    return "1" if node is None else f"GREATEST({self.sql(node)}, 1)"


def regexp_count_sql(self, e: exp.Expr) -> str:
    """r_REGEXP_COUNT: REGEXP_COUNT(source, pattern [, position [, parameters]])."""
    flags, _ = _regexp_params(e.args.get("parameters"), "REGEXP_COUNT")
    return (f"REGEXP_COUNT({self.sql(e.this)}, {self.sql(e.expression)}, "
            f"{_position(self, e.args.get('position'))}, '{flags}')")


def regexp_instr_sql(self, e: exp.Expr) -> str:
    """r_REGEXP_INSTR: REGEXP_INSTR(source, pattern [, position [, occurrence [, option
    [, parameters]]]]); option 1 gives the position after the match; 'e' the first subexpression."""
    flags, sub = _regexp_params(e.args.get("parameters"), "REGEXP_INSTR")
    occurrence = self.sql(e.args["occurrence"]) if e.args.get("occurrence") else "1"
    option = self.sql(e.args["option"]) if e.args.get("option") else "0"
    return (f"REGEXP_INSTR({self.sql(e.this)}, {self.sql(e.expression)}, {_position(self, e.args.get('position'))}, "
            f"{occurrence}, {option}, '{flags}'{', 1' if sub else ''})")


def regexp_substr_sql(self, e: exp.Expr) -> str:
    """r_REGEXP_SUBSTR: REGEXP_SUBSTR(source, pattern [, position [, occurrence [, parameters]]]);
    'e' returns the first subexpression's match."""
    flags, sub = _regexp_params(e.args.get("parameters"), "REGEXP_SUBSTR")
    occurrence = self.sql(e.args["occurrence"]) if e.args.get("occurrence") else "1"
    if e.args.get("group") is not None:
        raise UnsupportedError("REGEXP_SUBSTR: a group argument is not Redshift syntax")
    call = (f"REGEXP_SUBSTR({self.sql(e.this)}, {self.sql(e.expression)}, {_position(self, e.args.get('position'))}, "
            f"{occurrence}, '{flags}'{', 1' if sub else ''})")
    position = e.args.get("position")
    if position is None or (isinstance(position, exp.Literal) and position.name == "1"):
        return call
    # r_REGEXP_SUBSTR: a position past the end gives '' (PostgreSQL: NULL)
    return f"(CASE WHEN {self.sql(position)} > CHAR_LENGTH({self.sql(e.this)}) THEN '' ELSE {call} END)"


# -- JSON functions on VARCHAR (IS_VALID_JSON, IS_VALID_JSON_ARRAY, JSON_ARRAY_LENGTH, ...) ------
def _json_doc(self, args, func: str, fixed: int):
    """(json SQL, text SQL) of args[0]; a trailing null_if_invalid TRUE reads invalid JSON as NULL."""
    if len(args) not in (fixed, fixed + 1):
        raise UnsupportedError(f"{func}: expected {fixed} or {fixed + 1} arguments")
    text = f"CAST({self.sql(args[0])} AS TEXT)"
    if len(args) == fixed + 1:
        if not isinstance(args[-1], exp.Boolean):
            raise UnsupportedError(f"{func}: null_if_invalid must be TRUE or FALSE")
        if args[-1].this:
            need(self, "try_json")
            return f"pg_temp.dwhkit_try_json({text})", text
    return f"CAST({text} AS JSON)", text


def _json_is(kind: str, func: str):
    def sql(self, args) -> str:
        """IS_VALID_JSON: true only for a well-formed JSON object; IS_VALID_JSON_ARRAY: only for a
        well-formed array; anything else (malformed, other JSON values) is false."""
        if len(args) != 1:
            raise UnsupportedError(f"{func}: expected 1 argument")
        need(self, "try_json")
        text = f"CAST({self.sql(args[0])} AS TEXT)"
        return (f"(CASE WHEN {text} IS NULL THEN NULL ELSE "
                f"COALESCE(JSON_TYPEOF(pg_temp.dwhkit_try_json({text})) = '{kind}', FALSE) END)")
    return sql


def can_json_parse_sql(self, args) -> str:
    """CAN_JSON_PARSE: true when JSON_PARSE would accept the string (any JSON value)."""
    if len(args) != 1:
        raise UnsupportedError("CAN_JSON_PARSE: expected 1 argument")
    need(self, "try_json")
    text = f"CAST({self.sql(args[0])} AS TEXT)"
    return f"(CASE WHEN {text} IS NULL THEN NULL ELSE pg_temp.dwhkit_try_json({text}) IS NOT NULL END)"


def json_array_length_sql(self, args) -> str:
    """JSON_ARRAY_LENGTH(json_array [, null_if_invalid]): INTEGER."""
    doc, _ = _json_doc(self, args, "JSON_ARRAY_LENGTH", 1)
    return f"JSON_ARRAY_LENGTH({doc})"


def json_extract_array_element_text_sql(self, args) -> str:
    """JSON_EXTRACT_ARRAY_ELEMENT_TEXT(json, pos [, null_if_invalid]): zero-based; a negative or
    out-of-bound position gives '' (PostgreSQL's ->> gives NULL)."""
    if len(args) < 2:
        raise UnsupportedError("JSON_EXTRACT_ARRAY_ELEMENT_TEXT: expected 2 or 3 arguments")
    doc, _ = _json_doc(self, [args[0]] + list(args[2:]), "JSON_EXTRACT_ARRAY_ELEMENT_TEXT", 1)
    pos = f"CAST({self.sql(args[1])} AS INTEGER)"
    return (f"(CASE WHEN {doc} IS NULL THEN NULL WHEN {pos} < 0 OR {pos} >= JSON_ARRAY_LENGTH({doc}) THEN '' "
            f"ELSE {doc} ->> {pos} END)")


def octetindex_sql(self, args) -> str:
    """OCTETINDEX(substring, string): the byte position of substring (1-based), 0 if absent."""
    if len(args) != 2:
        raise UnsupportedError("OCTETINDEX: expected 2 arguments")
    sub, string = (f"CAST({self.sql(a)} AS TEXT)" for a in args)
    return (f"(CASE WHEN STRPOS({string}, {sub}) = 0 THEN 0 "
            f"ELSE OCTET_LENGTH(LEFT({string}, STRPOS({string}, {sub}) - 1)) + 1 END)")


def _helper_call(name: str, func: str, counts: tuple[int, ...], cast_first: bool = True):
    def sql(self, args) -> str:
        if len(args) not in counts:
            raise UnsupportedError(f"{func}: expected {' or '.join(map(str, counts))} arguments")
        need(self, name)
        parts = [self.sql(a) for a in args]
        if cast_first:
            parts[0] = f"CAST({parts[0]} AS TEXT)"
        return f"pg_temp.dwhkit_{name}({', '.join(parts)})"
    return sql


def soundex_sql(self, e: exp.Expr) -> str:
    """SOUNDEX: American Soundex of the ASCII letters; '' when the string has none."""
    need(self, "soundex")
    return f"pg_temp.dwhkit_soundex(CAST({self.sql(e.this)} AS TEXT))"


def _sign_of_compare(func: str, pg: str, cast: str):
    """r_BPCHARCMP, r_BTTEXT_PATTERN_CMP: -1, 0 or 1 (PostgreSQL's functions of the same name
    return the comparison's raw difference)."""
    def sql(self, args: list[exp.Expr]) -> str:
        if len(args) != 2:
            raise UnsupportedError(f"{func} takes 2 arguments")
        a, b = (f"CAST({self.sql(x)} AS {cast})" for x in args)
        return f"CAST(SIGN({pg}({a}, {b})) AS INTEGER)"
    return sql


def difference_sql(self, args: list[exp.Expr]) -> str:
    """DIFFERENCE(a, b): how many of the four characters of the two SOUNDEX codes are equal, position by
    position (0-4); a string without letters has the empty code, so 0."""
    if len(args) != 2:
        raise UnsupportedError("DIFFERENCE takes 2 arguments")
    need(self, "soundex")
    a, b = (f"pg_temp.dwhkit_soundex(CAST({self.sql(x)} AS TEXT))" for x in args)
    return (f"(SELECT CAST(COUNT(*) AS INTEGER) FROM (SELECT {a} AS a, {b} AS b) AS codes, "
            f"generate_series(1, 4) AS i WHERE substr(codes.a, i, 1) = substr(codes.b, i, 1) "
            f"AND substr(codes.a, i, 1) <> '')")


# r_Numeric-format-teradata: the format characters whose meaning the pages' examples show; any
# other format is refused (the character table is not in the archived page source).
_TERADATA_FORMAT = set("9SCLIZGD.,-+$() ") | set("0123456789")


def _teradata_value(self, args: list[exp.Expr], func: str) -> tuple[str, list[exp.Expr]]:
    """pg_temp.dwhkit_teradata_number(value, format) and the arguments left after them."""
    fmt = "NULL"
    rest = list(args[1:])
    if rest and isinstance(rest[0], exp.Literal) and rest[0].is_string:
        text = rest.pop(0).name
        odd = sorted(set(text.upper()) - _TERADATA_FORMAT)
        if odd:
            raise UnsupportedError(f"{func}: format character {odd[0]!r} is not supported")
        fmt = f"'{text}'"
    need(self, "teradata_number")
    return f"pg_temp.dwhkit_teradata_number(CAST({self.sql(args[0])} AS TEXT), {fmt})", rest


def text_to_int_alt_sql(self, args: list[exp.Expr]) -> str:
    """r_TEXT_TO_INT_ALT(expression [, 'format']): INTEGER, "fraction digits … truncated"."""
    if len(args) not in (1, 2):
        raise UnsupportedError("TEXT_TO_INT_ALT takes 1 or 2 arguments")
    value, rest = _teradata_value(self, args, "TEXT_TO_INT_ALT")
    if rest:
        raise UnsupportedError("TEXT_TO_INT_ALT: the format must be a string literal")
    return f"CAST(TRUNC({value}) AS INTEGER)"


def text_to_numeric_alt_sql(self, args: list[exp.Expr]) -> str:
    """r_TEXT_TO_NUMERIC_ALT(expression [, 'format'] [, precision, scale]): DECIMAL(precision, scale),
    precision 38 and scale 0 by default, rounded half to even ('1.5' → 2)."""
    if not 1 <= len(args) <= 4 or not args:
        raise UnsupportedError("TEXT_TO_NUMERIC_ALT takes 1 to 4 arguments")
    value, rest = _teradata_value(self, args, "TEXT_TO_NUMERIC_ALT")
    if len(rest) not in (0, 2) or not all(isinstance(a, exp.Literal) and not a.is_string for a in rest):
        raise UnsupportedError("TEXT_TO_NUMERIC_ALT: precision and scale must be given together, as numbers")
    precision, scale = (int(rest[0].name), int(rest[1].name)) if rest else (38, 0)
    return f"CAST(pg_temp.dwhkit_round_half_even({value}, {scale}) AS NUMERIC({precision}, {scale}))"


# -- functions sqlglot does not know (exp.Anonymous), by name --------------------------------------
ANONYMOUS = {
    "DATE_PART_YEAR": date_part_year_sql,
    "IS_VALID_JSON": _json_is("object", "IS_VALID_JSON"),
    "IS_VALID_JSON_ARRAY": _json_is("array", "IS_VALID_JSON_ARRAY"),
    "CAN_JSON_PARSE": can_json_parse_sql,
    "JSON_ARRAY_LENGTH": json_array_length_sql,
    "JSON_EXTRACT_ARRAY_ELEMENT_TEXT": json_extract_array_element_text_sql,
    "OCTETINDEX": octetindex_sql,
    # crc32-function: CRC-32C as 8 hex digits
    "CRC32": _helper_call("crc32", "CRC32", (1,)),
    # r_FNV_HASH: the value keeps its type (INTEGER, BIGINT, SMALLINT or a string), as the hash
    # depends on it; other types find no pg_temp overload and fail on the server.
    "FNV_HASH": _helper_call("fnv_hash", "FNV_HASH", (1, 2), cast_first=False),
    "BPCHARCMP": _sign_of_compare("BPCHARCMP", "BPCHARCMP", "BPCHAR"),
    "BTTEXT_PATTERN_CMP": _sign_of_compare("BTTEXT_PATTERN_CMP", "BTTEXT_PATTERN_CMP", "TEXT"),
    "DIFFERENCE": difference_sql,
    "TEXT_TO_INT_ALT": text_to_int_alt_sql,
    "TEXT_TO_NUMERIC_ALT": text_to_numeric_alt_sql,
}


ANONYMOUS.update(varbyte.ANONYMOUS)
ANONYMOUS.update(super_functions.ANONYMOUS)


def anonymous_sql(self, e: exp.Anonymous) -> str:
    handler = ANONYMOUS.get(str(e.this).upper())
    if handler is None:
        return self.anonymous_sql(e)
    return handler(self, e.expressions)
