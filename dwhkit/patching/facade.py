"""What both driver look-alikes share: a dwhkit connection underneath, the driver's own exception
classes on top, and one way to refuse a call that cannot be emulated.

Why the driver's exceptions: an unmodified script catches ``psycopg2.Error`` (or
``redshift_connector.Error``); a COPY that fails on dwhkit must land in the same ``except`` as it
would on the cluster, where the server's error reaches the script through the driver.
"""
from __future__ import annotations

import contextlib

from ..errors import (ConfigError, CopyError, CopySyntaxError, DwhError, ServerError, SqlSyntaxError,
                      TargetConnectError, UnsupportedError)
from ..errors import DatabaseError as DwhDatabaseError
from .params import ParamStyleError

# dwhkit's error → the DB-API class a driver would raise for the same failure on Redshift.
# AMBIG: the AWS pages give the message of a failed load ("Load into table … failed. Check
# 'stl_load_errors' system table for details.",
# https://docs.aws.amazon.com/redshift/latest/dg/t_Troubleshooting_load_errors.html) but no SQLSTATE;
# the server sends it as an internal error (XX000), which psycopg2 raises as InternalError. A
# statement Redshift would refuse to parse is a ProgrammingError (42601). Tested in
# tests/test_patch.py::test_failures_arrive_as_psycopg2_errors.
_DBAPI_CLASS = (
    (SqlSyntaxError, "ProgrammingError"),
    (CopySyntaxError, "ProgrammingError"),
    (UnsupportedError, "NotSupportedError"),
    (CopyError, "InternalError"),
    (ParamStyleError, "ProgrammingError"),
    (TargetConnectError, "OperationalError"),
    (ServerError, "OperationalError"),
    (ConfigError, "OperationalError"),
    (DwhDatabaseError, "DatabaseError"),
    (DwhError, "DatabaseError"),
)


def dbapi_class_name(exc: BaseException) -> str | None:
    for cls, name in _DBAPI_CLASS:
        if isinstance(exc, cls):
            return name
    return None


class Refused:
    """Raises the driver's NotSupportedError naming the call, for what dwhkit does not emulate."""

    def __init__(self, driver_module, driver_name: str):
        self.module = driver_module
        self.driver = driver_name

    def __call__(self, call: str, why: str):
        return self.module.NotSupportedError(
            f"{self.driver} {call} is not supported under dwhkit.patch(): {why}")


@contextlib.contextmanager
def driver_errors(translate):
    """Re-raise dwhkit's own errors (and, where ``translate`` says so, the inner driver's) as
    ``translate(exc)`` returns them; None keeps the original."""
    try:
        yield
    except Exception as exc:
        mapped = translate(exc)
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc


def as_text(sql, raw_conn) -> str:
    """The statement as text for the translator: psycopg2.extras.execute_values / execute_batch
    pass bytes, and a psycopg2.sql.Composable renders against the real driver connection."""
    if isinstance(sql, (bytes, bytearray, memoryview)):
        return bytes(sql).decode("utf-8")
    if hasattr(sql, "as_string") and not isinstance(sql, str):
        return sql.as_string(raw_conn)
    return sql


def column_names(description) -> list[str]:
    return [d[0] for d in description or ()]
