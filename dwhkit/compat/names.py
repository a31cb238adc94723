"""Default output column names (semantics §8: `date_diff`, `date_add`, `pgdate_part`, `case`).

Redshift names an unaliased select item after the function as written; the Postgres SQL dwhkit
writes for a translated function is often a CAST, CASE or pg_temp helper, which PostgreSQL would
name `int4`, `case`, `dwhkit_avg`… — visible in CREATE TABLE AS and in cursor descriptions.
So each unaliased call of a function dwhkit translates gets Redshift's name as an explicit alias.
"""
from __future__ import annotations

from sqlglot import exp

from dwhkit.compat import nodes as d
from dwhkit.compat import functions as fn
from dwhkit.compat import varbyte

# r_DATEDIFF_function, r_DATEADD_function (default column names date_diff, date_add),
# r_DATE_PART_function (pgdate_part), r_EXTRACT_function (date_part), r_DECODE_expression (case)
_NAMES: dict[type, str] = {
    exp.TsOrDsDiff: "date_diff", exp.DateDiff: "date_diff", exp.TsOrDsAdd: "date_add",
    d.DatePart: "pgdate_part", exp.Extract: "date_part", exp.DecodeCase: "case",
    exp.AddMonths: "add_months", exp.MonthsBetween: "months_between", exp.NextDay: "next_day",
    exp.FromBase: "strtol", exp.Avg: "avg", exp.Concat: "concat", exp.GroupConcat: "listagg",
    d.ToChar: "to_char", d.ToDate: "to_date", d.ToTimestamp: "to_timestamp",
    exp.RegexpCount: "regexp_count", exp.RegexpInstr: "regexp_instr", exp.RegexpExtract: "regexp_substr",
    exp.RegexpReplace: "regexp_replace", exp.Soundex: "soundex", exp.ApproxDistinct: "count",
    d.GetDate: "getdate", d.JsonExtractPathText: "json_extract_path_text",
    exp.FirstValue: "first_value", exp.LastValue: "last_value", exp.Median: "median",
    exp.PercentileCont: "percentile_cont", exp.PercentileDisc: "percentile_disc",
    exp.LowerHex: "to_hex", exp.Hex: "to_hex", varbyte.VarbyteBits: "?column?",
    # c_Array_Functions, JSON_PARSE, r_is_array
    d.SuperParse: "json_parse", d.SuperArray: "array", exp.ArrayConcat: "array_concat",
    exp.StringToArray: "split_to_array", exp.IsArray: "is_array",
}

# window functions written by functions.window_sql (r_WF_RATIO_TO_REPORT)
_WINDOW_ONLY = {"RATIO_TO_REPORT"}


def _name(node: exp.Expr) -> str | None:
    while isinstance(node, (exp.Window, exp.IgnoreNulls, exp.RespectNulls, exp.WithinGroup)):
        node = node.this
    if isinstance(node, d.SuperCast):
        # s::INT and s.name::VARCHAR are named after what they cast, as a column cast is
        node = node.this
        if isinstance(node, exp.Column):
            return node.name
    if isinstance(node, d.SuperPath):
        # query-super: c.a.b is named b (an index names nothing: PostgreSQL's ?column?)
        last = node.args["steps"][-1]
        return last.name if isinstance(last, exp.Literal) and last.is_string else None
    if isinstance(node, exp.Anonymous):
        name = str(node.this).upper()
        return name.lower() if name in fn.ANONYMOUS or name in _WINDOW_ONLY else None
    return _NAMES.get(type(node))


def default_names(tree: exp.Expr) -> exp.Expr:
    for select in tree.find_all(exp.Select):
        for proj in list(select.expressions):
            if isinstance(proj, exp.Alias):
                continue
            name = _name(proj)
            if name:
                proj.replace(exp.alias_(proj.copy(), name, quoted=True))
    return tree
