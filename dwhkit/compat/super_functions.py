"""Postgres SQL for SUPER values and the SUPER functions, on jsonb (the writer's half of
compat/semistructured.py, which says why SUPER is jsonb).

Every argument a SUPER function takes goes through ``pg_temp.dwhkit_to_super`` unless the
statement shows it is SUPER already: a jsonb value passes through it unchanged, any other value
becomes the SUPER scalar Redshift would make of it, so no catalog is needed here.

AMBIG (r_is_float: "the set of IS_DECIMAL and the set of IS_FLOAT are disjoint"): jsonb has one
number type, so a FLOAT stored in SUPER is kept as its decimal digits and cannot be told apart
from a DECIMAL afterwards. IS_DECIMAL is true for every number; IS_FLOAT is refused rather than
answer false for a value Redshift would call a float.
"""
from __future__ import annotations

from sqlglot import exp

from dwhkit.compat.helpers import need
from dwhkit.compat.nodes import (SuperArray, SuperCast, SuperCompare, SuperOf, SuperParse, SuperPath, SuperRank,
                                 SuperScalar, SuperText, SuperUnnest, builds_super)
from dwhkit.errors import UnsupportedError


def super_arg(self, node: exp.Expr) -> str:
    """SQL of ``node`` as a jsonb value."""
    if builds_super(node):
        return self.sql(node)
    need(self, "super")
    return f"pg_temp.dwhkit_to_super({self.sql(node)})"


def _one(args: list, func: str) -> exp.Expr:
    if len(args) != 1:
        raise UnsupportedError(f"{func} takes 1 argument, got {len(args)}")
    return args[0]


# -- values ----------------------------------------------------------------------------------
def parse_sql(self, e: SuperParse) -> str:
    """JSON_PARSE: invalid JSON is an error (parse_super_null_on_error is off by default)."""
    return f"CAST(CAST({self.sql(e.this)} AS TEXT) AS JSONB)"


def array_sql(self, e: SuperArray) -> str:
    """r_array: ARRAY(1, 'abc', TRUE, 3.14) holds values of different types; jsonb_build_array
    takes any argument type, an untyped literal as text."""
    return f"JSONB_BUILD_ARRAY({', '.join(self.sql(a) for a in e.expressions)})"


def of_sql(self, e: SuperOf) -> str:
    return super_arg(self, e.this)


def path_sql(self, e: SuperPath) -> str:
    """query-super: a missing attribute or element, or navigation into a scalar, is NULL (lax
    mode, navigate_super_null_on_error on by default) — as jsonb's -> gives."""
    out = self.sql(e.this)
    for step in e.args["steps"]:
        if isinstance(step, exp.Literal) and step.is_string:
            out = f"{out} -> {self.sql(step)}"
        else:
            out = f"{out} -> CAST({self.sql(step)} AS INTEGER)"
    return f"({out})"


def cast_sql(self, e: SuperCast) -> str:
    """limitations-super: SUPER casts as the value's own type would, except that an error is NULL
    (5::super::bool is true, 5.0::super::bool NULL); a string gives its text without quotes; an
    array, object or null gives NULL."""
    need(self, "super")
    to = self.sql(e.args["to"])
    return f"CAST(pg_temp.dwhkit_super_cast({super_arg(self, e.this)}, CAST(NULL AS {to})) AS {to})"


def scalar_sql(self, e: SuperScalar) -> str:
    x = super_arg(self, e.this)
    value = f"CAST({x} AS NUMERIC)" if e.args["kind"] == "number" else f"({x} #>> '{{}}')"
    return f"(CASE WHEN JSONB_TYPEOF({x}) = '{e.args['kind']}' THEN {value} END)"


def compare_sql(self, e: SuperCompare) -> str:
    """An ordering of SUPER values of different types (a string and a number) is NULL: jsonb
    would order them by type."""
    a, b = super_arg(self, e.this), super_arg(self, e.expression)
    return f"(CASE WHEN JSONB_TYPEOF({a}) = JSONB_TYPEOF({b}) THEN {a} {e.args['op']} {b} END)"


def unnest_sql(self, e: SuperUnnest) -> str:
    """query-super, "Unnesting": one row per element of the array (none for a value that is not an
    array, lax mode), with its zero-based index when AT names one."""
    x = super_arg(self, e.this)
    alias = self.sql(e.args["alias"])
    index = e.args.get("index")
    columns = f"dwhkit_u.e AS {alias}" + (f", dwhkit_u.n - 1 AS {self.sql(index)}" if index is not None else "")
    return (f"LATERAL (SELECT {columns} FROM JSONB_ARRAY_ELEMENTS(CASE WHEN JSONB_TYPEOF({x}) = 'array' "
            f"THEN {x} ELSE '[]'::JSONB END) WITH ORDINALITY AS dwhkit_u(e, n)) AS {alias}")


# query-super, "Order by": "The order among dynamic types is boolean, number, string, array,
# object" (jsonb's own: null, string, number, boolean, array, object)
_RANK = ("boolean", "number", "string", "array", "object")


def rank_sql(self, e: SuperRank) -> str:
    whens = " ".join(f"WHEN '{kind}' THEN {i}" for i, kind in enumerate(_RANK))
    return f"(CASE JSONB_TYPEOF({self.sql(e.this)}) {whens} END)"


def text_sql(self, e: SuperText) -> str:
    need(self, "super")
    return f"pg_temp.dwhkit_super_text({super_arg(self, e.this)})"


def array_concat_sql(self, e: exp.ArrayConcat) -> str:
    """r_array_concat: two arrays (of any element types); NULL if either is not an array."""
    args = [e.this, *e.expressions]
    if len(args) != 2:
        raise UnsupportedError(f"ARRAY_CONCAT takes 2 arguments, got {len(args)}")
    a, b = (super_arg(self, x) for x in args)
    return f"(CASE WHEN JSONB_TYPEOF({a}) = 'array' AND JSONB_TYPEOF({b}) = 'array' THEN {a} || {b} END)"


def split_to_array_sql(self, e: exp.StringToArray) -> str:
    """split_to_array: a SUPER array of the strings between the delimiters (',' by default)."""
    delimiter = self.sql(e.expression) if e.expression is not None else "','"
    return f"TO_JSONB(STRING_TO_ARRAY(CAST({self.sql(e.this)} AS TEXT), CAST({delimiter} AS TEXT)))"


def is_array_sql(self, e: exp.IsArray) -> str:
    return _kind_is("array")(self, [e.this])


# -- functions by name -------------------------------------------------------------------------
def _kind_is(*kinds: str, func: str = ""):
    """c_Type_Info_Functions: IS_ARRAY, IS_OBJECT, IS_SCALAR, IS_BOOLEAN, IS_VARCHAR are false for
    any other value, null included (r_is_scalar)."""
    listed = ", ".join(f"'{k}'" for k in kinds)

    def sql(self, args) -> str:
        x = super_arg(self, _one(args, func))
        return f"COALESCE(JSONB_TYPEOF({x}) IN ({listed}), FALSE)"
    return sql


def is_char_sql(self, args) -> str:
    """r_is_char: true for strings of ASCII characters only (all a CHAR can store)."""
    x = super_arg(self, _one(args, "IS_CHAR"))
    text = f"({x} #>> '{{}}')"
    return f"COALESCE(JSONB_TYPEOF({x}) = 'string' AND OCTET_LENGTH({text}) = CHAR_LENGTH({text}), FALSE)"


def _whole_in(low: int, high: int, func: str):
    """r_is_smallint, r_is_integer, r_is_bigint: a number of scale 0 within the type's range
    (limitations-super: Redshift does not tell integers from decimals of scale 0)."""
    def sql(self, args) -> str:
        x = super_arg(self, _one(args, func))
        n = f"CAST({x} AS NUMERIC)"
        return (f"COALESCE(CASE WHEN JSONB_TYPEOF({x}) = 'number' THEN SCALE({n}) = 0 "
                f"AND {n} BETWEEN {low} AND {high} END, FALSE)")
    return sql


def is_float_sql(self, args) -> str:
    raise UnsupportedError("IS_FLOAT: SUPER values are jsonb here, which keeps FLOAT and DECIMAL numbers alike")


def _number(func: str, what: str):
    """r_decimal_precision, r_decimal_scale: of a SUPER number; NULL for other values."""
    def sql(self, args) -> str:
        x = super_arg(self, _one(args, func))
        n = f"CAST({x} AS NUMERIC)"
        if what == "scale":
            value = f"SCALE({n})"
        else:  # digits before the point (none for 0.x) and after it
            whole = f"TRUNC(ABS({n}))"
            value = f"GREATEST(CASE WHEN {whole} = 0 THEN 0 ELSE LENGTH(CAST({whole} AS TEXT)) END + SCALE({n}), 1)"
        return f"(CASE WHEN JSONB_TYPEOF({x}) = 'number' THEN {value} END)"
    return sql


def json_typeof_sql(self, args) -> str:
    """r_json_typeof: array, object, number, string, boolean or null."""
    return f"JSONB_TYPEOF({super_arg(self, _one(args, 'JSON_TYPEOF'))})"


def _serialized(self, args, func: str) -> str:
    need(self, "super")
    return f"pg_temp.dwhkit_super_text({super_arg(self, _one(args, func))})"


def json_serialize_sql(self, args) -> str:
    """JSON_SERIALIZE: compact JSON text. AMBIG (the page shows arrays only): an object's keys come
    in jsonb's order (shorter keys first), not the order they were written in."""
    return _serialized(self, args, "JSON_SERIALIZE")


def json_size_sql(self, args) -> str:
    """r_json_size: bytes of the serialized value, not characters."""
    return f"OCTET_LENGTH({_serialized(self, args, 'JSON_SIZE')})"


def json_serialize_to_varbyte_sql(self, args) -> str:
    """JSON_SERIALIZE_TO_VARBYTE: the serialized value's UTF-8 bytes."""
    return f"CONVERT_TO({_serialized(self, args, 'JSON_SERIALIZE_TO_VARBYTE')}, 'UTF8')"


def get_array_length_sql(self, args) -> str:
    """get_array_length: NULL for a value that is not an array (lax mode)."""
    x = super_arg(self, _one(args, "GET_ARRAY_LENGTH"))
    return f"(CASE WHEN JSONB_TYPEOF({x}) = 'array' THEN JSONB_ARRAY_LENGTH({x}) END)"


def subarray_sql(self, args) -> str:
    """r_subarray: SUBARRAY(array, start, length), start zero-based; NULL if not an array."""
    if len(args) != 3:
        raise UnsupportedError(f"SUBARRAY takes 3 arguments, got {len(args)}")
    x = super_arg(self, args[0])
    start, length = (f"CAST({self.sql(a)} AS INTEGER)" for a in args[1:])
    return (f"(CASE WHEN JSONB_TYPEOF({x}) = 'array' THEN COALESCE((SELECT JSONB_AGG(dwhkit_e ORDER BY dwhkit_n) "
            f"FROM JSONB_ARRAY_ELEMENTS({x}) WITH ORDINALITY AS dwhkit_sub(dwhkit_e, dwhkit_n) "
            f"WHERE dwhkit_n - 1 >= {start} AND dwhkit_n - 1 < {start} + {length}), '[]'::JSONB) END)")


def array_flatten_sql(self, args) -> str:
    """array_flatten: the elements of the arrays given, an element that is an array spliced in
    (one level, as the page's example). AMBIG: a non-array argument gives NULL."""
    if not args:
        raise UnsupportedError("ARRAY_FLATTEN takes at least 1 argument")
    need(self, "super")
    return f"pg_temp.dwhkit_super_flatten({', '.join(super_arg(self, a) for a in args)})"


def object_sql(self, args) -> str:
    """r_object_function: OBJECT(key1, value1, ...) — VARCHAR keys, values of any type but datetimes
    (semistructured.py refuses those, as Redshift does)."""
    if len(args) % 2:
        raise UnsupportedError("OBJECT takes key, value pairs")
    pairs = [f"CAST({self.sql(k)} AS TEXT), {self.sql(v)}" for k, v in zip(args[::2], args[1::2])]
    return f"JSONB_BUILD_OBJECT({', '.join(pairs)})"


def size_sql(self, args) -> str:
    raise UnsupportedError("SIZE: the in-memory size of a Redshift SUPER value has no Postgres counterpart")


_INT = {"IS_SMALLINT": (-32768, 32767), "IS_INTEGER": (-2147483648, 2147483647),
        "IS_BIGINT": (-9223372036854775808, 9223372036854775807)}

# functions sqlglot reads as exp.Anonymous, by name (merged into functions.ANONYMOUS)
ANONYMOUS = {
    "IS_OBJECT": _kind_is("object", func="IS_OBJECT"),
    "IS_SCALAR": _kind_is("number", "string", "boolean", func="IS_SCALAR"),
    "IS_BOOLEAN": _kind_is("boolean", func="IS_BOOLEAN"),
    "IS_VARCHAR": _kind_is("string", func="IS_VARCHAR"),
    "IS_DECIMAL": _kind_is("number", func="IS_DECIMAL"),
    "IS_CHAR": is_char_sql,
    **{name: _whole_in(low, high, name) for name, (low, high) in _INT.items()},
    "IS_FLOAT": is_float_sql,
    "DECIMAL_PRECISION": _number("DECIMAL_PRECISION", "precision"),
    "DECIMAL_SCALE": _number("DECIMAL_SCALE", "scale"),
    "JSON_TYPEOF": json_typeof_sql,
    "JSON_SERIALIZE": json_serialize_sql,
    "JSON_SIZE": json_size_sql,
    "JSON_SERIALIZE_TO_VARBYTE": json_serialize_to_varbyte_sql,
    "GET_ARRAY_LENGTH": get_array_length_sql,
    "SUBARRAY": subarray_sql,
    "ARRAY_FLATTEN": array_flatten_sql,
    "OBJECT": object_sql,
    "SIZE": size_sql,
}

# generator TRANSFORMS (merged into dialect.PostgresOutput)
TRANSFORMS = {
    SuperParse: parse_sql, SuperArray: array_sql, SuperOf: of_sql, SuperPath: path_sql,
    SuperCast: cast_sql, SuperCompare: compare_sql, exp.ArrayConcat: array_concat_sql,
    exp.StringToArray: split_to_array_sql, exp.IsArray: is_array_sql,
    SuperUnnest: unnest_sql, SuperRank: rank_sql, SuperText: text_sql, SuperScalar: scalar_sql,
}
