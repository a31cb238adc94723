"""Two small sqlglot dialects: what we read (Redshift, plus the DDL sqlglot 30 misses) and what
we write (Postgres 15 with Redshift's semantics for the functions that differ).

Each override merges onto the parent's table, as sqlglot's own dialects do, with the AWS
Redshift developer-guide page it implements beside it.
"""
from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.dialects.redshift import Redshift
from sqlglot.generators.postgres import PostgresGenerator
from sqlglot.parsers.redshift import RedshiftParser

from dwhkit.compat import functions as fn
from dwhkit.compat import super_functions, varbyte
from dwhkit.compat.nodes import (  # noqa: F401 - ColumnDistKey, ColumnSortKey, TableEncode: read by ddl.py
    ColumnDistKey, ColumnSortKey, DatePart, GetDate, JsonExtractPathText, TableEncode, ToChar, ToDate, ToTimestamp,
)
from dwhkit.errors import UnsupportedError


def _raw(cls, *names):
    def build(args):
        if len(args) > len(names):
            raise UnsupportedError(f"{cls.__name__.upper()}: at most {len(names)} arguments")
        return cls(**dict(zip(names, args)))
    return build


def _parse_interleaved(self):
    # r_CREATE_TABLE_NEW: [COMPOUND | INTERLEAVED] SORTKEY (column_name [, ...])
    if not self._match_text_seq("SORTKEY"):
        return None
    return self._parse_sortkey()


class RedshiftSource(Redshift):
    """Redshift as sqlglot reads it, plus the CREATE TABLE attributes sqlglot 30 refuses."""

    class Parser(RedshiftParser):
        CONSTRAINT_PARSERS = {
            **RedshiftParser.CONSTRAINT_PARSERS,
            # r_CREATE_TABLE_NEW: column attributes DISTKEY and SORTKEY
            "DISTKEY": lambda self: self.expression(ColumnDistKey()),
            "SORTKEY": lambda self: self.expression(ColumnSortKey()),
        }
        PROPERTY_PARSERS = {
            **RedshiftParser.PROPERTY_PARSERS,
            # r_CREATE_TABLE_NEW: INTERLEAVED SORTKEY (...)
            "INTERLEAVED": _parse_interleaved,
            # r_CREATE_TABLE_NEW: table-level ENCODE AUTO
            "ENCODE": lambda self: self.expression(TableEncode(this=self._parse_var(any_token=True))),
        }
        # r_DATE_PART_function: kept apart from EXTRACT (PostgreSQL's parser merges them)
        FUNCTION_PARSERS = {k: v for k, v in RedshiftParser.FUNCTION_PARSERS.items() if k != "DATE_PART"}
        FUNCTIONS = {
            **RedshiftParser.FUNCTIONS,
            # r_DATE_PART_function
            "DATE_PART": lambda args: DatePart(this=args[0], expression=args[1]),
            "PGDATE_PART": lambda args: DatePart(this=args[0], expression=args[1]),
            # JSON_EXTRACT_PATH_TEXT
            "JSON_EXTRACT_PATH_TEXT": lambda args: JsonExtractPathText(this=args[0], expressions=args[1:]),
            # r_GETDATE
            "GETDATE": lambda args: GetDate(),
            # r_LEN
            "LEN": exp.Length.from_arg_list,
            # r_TO_CHAR, r_TO_DATE_function, r_TO_TIMESTAMP: formats kept verbatim
            "TO_CHAR": _raw(ToChar, "this", "format"),
            # r_ADD_MONTHS: its own month-end rule, not DATEADD's
            "ADD_MONTHS": exp.AddMonths.from_arg_list,
            "TO_DATE": _raw(ToDate, "this", "format", "strict"),
            "TO_TIMESTAMP": _raw(ToTimestamp, "this", "format", "strict"),
        }


class PostgresOutput(Postgres):
    """Postgres 15 output whose functions keep Redshift's results."""

    class Generator(PostgresGenerator):
        TRANSFORMS = {
            **PostgresGenerator.TRANSFORMS,
            ColumnDistKey: lambda self, e: "",
            ColumnSortKey: lambda self, e: "",
            # r_DATEDIFF_function: boundaries crossed, not elapsed time
            exp.TsOrDsDiff: fn.datediff_sql,
            exp.DateDiff: fn.datediff_sql,
            # r_DATEADD_function, r_ADD_MONTHS
            exp.TsOrDsAdd: fn.dateadd_sql,
            # r_DATE_TRUNC: always TIMESTAMP, Redshift part names
            exp.TimestampTrunc: fn.date_trunc_sql,
            exp.DateTrunc: fn.date_trunc_sql,
            # r_EXTRACT_function, r_DATE_PART_function, r_Dateparts_for_datetime_functions
            exp.Extract: fn.extract_sql,
            DatePart: fn.date_part_sql,
            # r_LISTAGG
            exp.GroupConcat: fn.listagg_sql,
            exp.WithinGroup: fn.within_group_sql,
            # r_STRTOL
            exp.FromBase: fn.strtol_sql,
            # r_CONCAT: exactly two arguments, NULL if either is NULL
            exp.Concat: fn.concat_sql,
            # r_GETDATE (statement start), r_SYSDATE (transaction start); both TIMESTAMP in UTC
            # AMBIG (r_GETDATE shows no fraction of a second): we truncate to whole seconds.
            GetDate: lambda self, e: "DATE_TRUNC('second', STATEMENT_TIMESTAMP() AT TIME ZONE 'UTC')",
            exp.CurrentTimestamp: fn.current_timestamp_sql,
            # JSON_EXTRACT_PATH_TEXT on a VARCHAR holding JSON
            JsonExtractPathText: fn.json_extract_path_text_sql,
            # r_AVG: integer arguments give a truncated BIGINT
            exp.Avg: fn.avg_sql,
            exp.RegexpReplace: fn.regexp_replace_sql,
            # r_TO_CHAR, r_FORMAT_strings, r_TO_DATE_function, r_TO_TIMESTAMP
            ToChar: fn.to_char_sql,
            ToDate: fn.to_date_sql,
            ToTimestamp: fn.to_timestamp_sql,
            # r_ADD_MONTHS, r_MONTHS_BETWEEN_function, r_NEXT_DAY
            exp.AddMonths: fn.add_months_sql,
            exp.MonthsBetween: fn.months_between_sql,
            exp.NextDay: fn.next_day_sql,
            # r_REGEXP_COUNT, r_REGEXP_INSTR, r_REGEXP_SUBSTR
            exp.RegexpCount: fn.regexp_count_sql,
            exp.RegexpInstr: fn.regexp_instr_sql,
            exp.RegexpExtract: fn.regexp_substr_sql,
            # SOUNDEX (PostgreSQL's needs the fuzzystrmatch extension)
            exp.Soundex: fn.soundex_sql,
            # functions sqlglot does not know, by name (fn.ANONYMOUS)
            exp.Anonymous: fn.anonymous_sql,
            # Silent drops become errors or are implemented (c_Window_functions, r_WF_first_value,
            # r_FROM_clause-pivot-unpivot-examples, r_COUNT)
            exp.Pivot: fn.pivot_sql,
            exp.IgnoreNulls: fn.ignorenulls_sql,
            exp.RespectNulls: fn.respectnulls_sql,
            exp.Window: fn.window_sql,
            exp.ApproxDistinct: fn.approx_distinct_sql,
            exp.ApproxQuantile: fn.approx_quantile_sql,
            # varbyte-functions, r_TO_HEX, r_VARBYTE_OPERATORS
            exp.LowerHex: varbyte.to_hex_sql,
            exp.Hex: varbyte.to_hex_sql,
            varbyte.VarbyteBits: varbyte.varbyte_bits_sql,
            # r_super_type, query-super, c_Array_Functions: SUPER values on jsonb
            **super_functions.TRANSFORMS,
        }

        def unsupported(self, message: str) -> None:
            """Anything sqlglot's Postgres writer would drop or change with a logged warning is an
            error naming it: a different query must never run silently."""
            raise UnsupportedError(f"not supported on Postgres: {message}")
