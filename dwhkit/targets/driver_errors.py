"""What the server said, read from whichever driver raised it.

Why here: the client look-alikes of dwhkit.patching re-raise a failure as the driver a script
expects (psycopg2 or redshift_connector), whatever driver reached the engine underneath; only
targets/ knows that driver, so only this module reads its exception objects."""
from __future__ import annotations

from dataclasses import dataclass

# The DB-API exception classes, most specific first (PEP 249's hierarchy).
DBAPI_NAMES = ("IntegrityError", "DataError", "OperationalError", "InternalError", "ProgrammingError",
               "NotSupportedError", "InterfaceError", "DatabaseError")


@dataclass(frozen=True)
class ServerMessage:
    """One failure as the server reported it: ``dbapi_class`` is the PEP 249 class name."""

    dbapi_class: str
    severity: str
    code: str
    message: str


def server_message(exc: BaseException) -> ServerMessage | None:
    """The server's report inside a driver exception (None: not a driver exception)."""
    import psycopg2

    if not isinstance(exc, psycopg2.Error):
        return None
    name = next((k.__name__ for k in type(exc).__mro__ if k.__name__ in DBAPI_NAMES), "DatabaseError")
    diag = exc.diag
    return ServerMessage(dbapi_class=name, severity=diag.severity or "ERROR", code=exc.pgcode or "XX000",
                         message=diag.message_primary or str(exc).strip())


def in_transaction(raw_conn) -> bool:
    """Whether a driver connection is inside a transaction block (or a failed one)."""
    import psycopg2.extensions

    if not isinstance(raw_conn, psycopg2.extensions.connection):  # redshift_connector's own flag
        return bool(raw_conn.in_transaction)
    return raw_conn.get_transaction_status() != psycopg2.extensions.TRANSACTION_STATUS_IDLE
