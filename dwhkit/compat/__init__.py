"""Redshift SQL → Postgres 15: a sqlglot dialect pair plus AST transforms (see translate.py).

COPY and UNLOAD are not translated here: callers intercept them (dwhkit.copy) and use
`split_statements` / `is_copy_or_unload` to find them.
"""
from dwhkit.compat.split import is_copy_or_unload, split_statements
from dwhkit.compat.translate import to_postgres, translate_script

__all__ = ["split_statements", "to_postgres", "translate_script", "is_copy_or_unload"]
