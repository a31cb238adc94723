"""VARBYTE functions and operators on PostgreSQL's bytea (varbyte-functions, r_VARBYTE_OPERATORS:
https://docs.aws.amazon.com/redshift/latest/dg/r_VARBYTE_OPERATORS.html).

Functions are pg_temp helpers overloaded by type (helpers.py, "varbyte"), so the server picks
TO_HEX of a VARBYTE or of an integer without the translator knowing the type. The operators that
mean something else in PostgreSQL are rewritten where the statement or catalog shows operands to
be VARBYTE (``operators``): ``+`` concatenates, ``~ & |`` work bytewise, CONCAT joins the bytes
(not their hex text) and a VARBYTE cast to VARCHAR gives the bytes as text, not ``\\x6162``.

AMBIG: the operators page does not say what ``&`` and ``|`` do with operands of different
lengths; dwhkit raises an error rather than pad or cut either operand.
"""
from __future__ import annotations

from sqlglot import exp

from dwhkit.compat.helpers import need
from dwhkit.compat.scope import Scope
from dwhkit.errors import UnsupportedError


class VarbyteBits(exp.Expression, exp.Func):
    """~a, a & b, a | b on VARBYTE values (r_VARBYTE_OPERATORS); ``op`` is the operator."""

    arg_types = {"this": True, "expression": False, "op": True}


def varbyte_bits_sql(self, e: VarbyteBits) -> str:
    need(self, "varbyte")
    other = self.sql(e.expression) if e.expression is not None else "NULL"
    return f"pg_temp.dwhkit_varbyte_bits({self.sql(e.this)}, {other}, '{e.args['op']}')"


def _call(helper_fn: str, arity: tuple[int, ...], name: str, cast: tuple[str, ...] = ()):
    def sql(self, args: list[exp.Expr]) -> str:
        if len(args) not in arity:
            raise UnsupportedError(f"{name} takes {' or '.join(map(str, arity))} arguments, got {len(args)}")
        need(self, "varbyte")
        parts = [f"CAST({self.sql(a)} AS {cast[i]})" if i < len(cast) and cast[i] else self.sql(a)
                 for i, a in enumerate(args)]
        return f"pg_temp.{helper_fn}({', '.join(parts)})"
    return sql


def to_hex_sql(self, e: exp.Expr) -> str:
    """r_TO_HEX: hexadecimal of an integer or of a VARBYTE value's bytes."""
    need(self, "varbyte")
    return f"pg_temp.dwhkit_to_hex({self.sql(e.this)})"


# functions sqlglot reads as exp.Anonymous, by name (merged into functions.ANONYMOUS)
ANONYMOUS = {
    "FROM_HEX": _call("dwhkit_from_hex", (1,), "FROM_HEX", ("TEXT",)),
    # r_TO_VARBYTE: TO_VARBYTE(string, 'hex' | 'binary' | 'utf8' | 'utf-8' | 'base64')
    "TO_VARBYTE": _call("dwhkit_to_varbyte", (2,), "TO_VARBYTE", ("TEXT", "TEXT")),
    # r_FROM_VARBYTE: a character-string argument is converted to VARBYTE (its bytes) first
    "FROM_VARBYTE": _call("dwhkit_from_varbyte", (2,), "FROM_VARBYTE", ("BYTEA", "TEXT")),
}

_BITS = {exp.BitwiseNot: "~", exp.BitwiseAnd: "&", exp.BitwiseOr: "|"}


def _is_varbyte(node: exp.Expr | None, scope: Scope) -> bool:
    t = (scope.type_of(node) or "").lower()
    return t in ("bytea", "varbyte", "varbinary", "binary varying") or t.startswith(("varbyte(", "varbinary("))


def operators(tree: exp.Expr, scope: Scope) -> exp.Expr:
    for node in list(tree.find_all(exp.Add, exp.Concat, *_BITS)):
        if isinstance(node, exp.Add):
            if _is_varbyte(node.this, scope) and _is_varbyte(node.expression, scope):
                node.replace(exp.DPipe(this=node.this.copy(), expression=node.expression.copy()))
        elif isinstance(node, exp.Concat):
            args = node.expressions
            if len(args) == 2 and all(_is_varbyte(a, scope) for a in args):
                node.replace(exp.Paren(this=exp.DPipe(this=args[0].copy(), expression=args[1].copy())))
        elif _is_varbyte(node.this, scope) and (isinstance(node, exp.BitwiseNot) or _is_varbyte(node.expression, scope)):
            node.replace(VarbyteBits(this=node.this.copy(), expression=(node.args.get("expression") or None)
                                     and node.expression.copy(), op=_BITS[type(node)]))
    for cast in list(tree.find_all(exp.Cast)):
        to = cast.to
        if to.is_type(*exp.DataType.TEXT_TYPES, exp.DataType.Type.CHAR, exp.DataType.Type.NCHAR) \
                and _is_varbyte(cast.this, scope):
            # r_TO_HEX's example: 'abc'::VARBYTE::VARCHAR is abc
            cast.set("this", exp.Anonymous(this="CONVERT_FROM",
                                           expressions=[cast.this.copy(), exp.Literal.string("UTF8")]))
    return tree
