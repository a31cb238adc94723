"""The AST nodes sqlglot has no class for: what the reader builds and the translator's passes and
the writer both need.

Why a module of its own: the passes that ask an expression's type (scope.py) and the writer
(dialect.py) both name these classes; with the nodes here, below both, neither imports the other.
"""
from __future__ import annotations

from sqlglot import exp


class ColumnDistKey(exp.Expression, exp.ColumnConstraintKind):
    """Column-level DISTKEY (r_CREATE_TABLE_NEW): a distribution hint, no Postgres meaning."""

    arg_types = {}


class ColumnSortKey(exp.Expression, exp.ColumnConstraintKind):
    """Column-level SORTKEY (r_CREATE_TABLE_NEW): a storage hint, no Postgres meaning."""

    arg_types = {}


class TableEncode(exp.Property):
    """Table-level ENCODE AUTO (r_CREATE_TABLE_NEW)."""

    arg_types = {"this": True}


class DatePart(exp.Expression, exp.Func):
    """DATE_PART(part, x): kept apart from EXTRACT because their results differ for seconds
    (r_DATE_PART_function vs r_EXTRACT_function)."""

    arg_types = {"this": True, "expression": True}


class JsonExtractPathText(exp.Expression, exp.Func):
    """JSON_EXTRACT_PATH_TEXT(json_string, path_elem [, ...] [, null_if_invalid]), raw arguments."""

    arg_types = {"this": True, "expressions": True}
    is_var_len_args = True


class GetDate(exp.Expression, exp.Func):
    """GETDATE(): apart from CURRENT_TIMESTAMP, which sqlglot folds it into (r_GETDATE)."""

    arg_types = {}


class ToChar(exp.Expression, exp.Func):
    """TO_CHAR(value, format) with the format kept verbatim (r_TO_CHAR, r_FORMAT_strings)."""

    arg_types = {"this": True, "format": False}


class ToDate(exp.Expression, exp.Func):
    """TO_DATE(string, format [, is_strict]) (r_TO_DATE_function)."""

    arg_types = {"this": True, "format": False, "strict": False}


class ToTimestamp(exp.Expression, exp.Func):
    """TO_TIMESTAMP(string, format [, is_strict]) (r_TO_TIMESTAMP)."""

    arg_types = {"this": True, "format": False, "strict": False}


# -- SUPER values (compat/semistructured.py) ---------------------------------------------------
class SuperParse(exp.Expression, exp.Func):
    """JSON_PARSE(string): a SUPER value (JSON_PARSE)."""

    arg_types = {"this": True}


class SuperArray(exp.Expression, exp.Func):
    """ARRAY(value [, ...]): a SUPER array of values of any types (r_array)."""

    arg_types = {"expressions": False}
    is_var_len_args = True


class SuperOf(exp.Expression, exp.Func):
    """A value of another type used where a SUPER value is expected (an INSERT into a SUPER
    column, CAST(x AS SUPER), one side of a comparison with SUPER): r_super_type."""

    arg_types = {"this": True}


class SuperPath(exp.Expression, exp.Func):
    """PartiQL navigation ``c.a.b`` / ``c[0]`` (query-super): ``steps`` are attribute names
    (string literals) and array indexes (any integer expression)."""

    arg_types = {"this": True, "steps": True}


class SuperCast(exp.Expression, exp.Func):
    """CAST(super AS scalar type) under limitations-super's rules, NULL when the value does not
    convert (cast_super_null_on_error, on by default)."""

    arg_types = {"this": True, "to": True}


class SuperCompare(exp.Expression, exp.Func):
    """An ordering comparison (< <= > >=) of SUPER values: NULL when their types differ."""

    arg_types = {"this": True, "expression": True, "op": True}


class SuperUnnest(exp.Expression):
    """A FROM entry iterating over a SUPER array (query-super, "Unnesting"): ``c.items AS i
    [AT n]``; ``alias`` names the element, ``index`` (optional) its zero-based position."""

    arg_types = {"this": True, "alias": True, "index": False}


class SuperScalar(exp.Expression, exp.Func):
    """A SUPER value used by an operator or function of a scalar type (query-super, "Dynamic
    typing": "Other functions return null when mistyped arguments are used"): ``kind`` is
    'number' or 'string'; NULL when the value is of another type."""

    arg_types = {"this": True, "kind": True}


class SuperRank(exp.Expression, exp.Func):
    """The rank of a SUPER value's type in ORDER BY (query-super, "Order by")."""

    arg_types = {"this": True}


class SuperText(exp.Expression, exp.Func):
    """A SUPER result as the client sees it: its compact JSON text (query-super, "Order by")."""

    arg_types = {"this": True}


SUPER_NODES = (SuperParse, SuperArray, SuperOf, SuperPath)

# functions whose result is a SUPER value, by name (exp.Anonymous) — the others are SUPER_NODES
# and sqlglot's exp.ArrayConcat / exp.StringToArray (ARRAY_CONCAT, SPLIT_TO_ARRAY)
SUPER_FUNCTIONS = {"SUBARRAY", "ARRAY_FLATTEN", "OBJECT"}


def builds_super(node: exp.Expr | None) -> bool:
    """Whether the statement itself shows ``node`` to be a SUPER value (no catalog needed)."""
    while isinstance(node, (exp.Paren, exp.Alias)):
        node = node.this
    if isinstance(node, (*SUPER_NODES, exp.ArrayConcat, exp.StringToArray)):
        return True
    return isinstance(node, exp.Anonymous) and str(node.this).upper() in SUPER_FUNCTIONS
