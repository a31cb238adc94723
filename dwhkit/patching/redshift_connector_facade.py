"""A redshift_connector-shaped connection and cursor over a dwhkit connection.

Why: Amazon's driver differs from psycopg2 in what scripts lean on — rows are lists,
``execute`` returns the cursor, each cursor has its own ``paramstyle`` (``format`` by default,
any DB-API style allowed), ``fetch_dataframe`` / ``fetch_numpy_array`` / ``write_dataframe``
exist, and errors are ``redshift_connector.ProgrammingError`` carrying the server's fields as a
dict (``{'S': 'ERROR', 'C': '42P01', 'M': …}``). Statements run through dwhkit's cursor, so
they are translated and COPY/UNLOAD emulated as for every dwhkit connection.
"""
from __future__ import annotations

import re

import redshift_connector

from ..errors import CopyError, SqlSyntaxError, UnsupportedError
from ..identifiers import quote_ident
from ..targets.driver_errors import server_message
from .facade import Refused, column_names, dbapi_class_name, driver_errors
from .params import to_pyformat

refuse = Refused(redshift_connector, "redshift_connector")
_CLIENT_COPY = re.compile(r"^\s*copy\b.*\b(from\s+stdin|to\s+stdout)\b", re.I | re.S)
_IDENT = re.compile(r'"?[A-Za-z_][A-Za-z0-9_$]*"?')
# The metadata API reads Redshift's own catalog views (svv_*, pg_* as Redshift has them).
_METADATA = ("get_procedures", "get_procedure_columns", "get_functions", "get_function_columns",
             "get_table_types", "get_schemas", "get_primary_keys", "get_imported_keys", "get_exported_keys",
             "get_best_row_identifier", "get_column_privileges", "get_table_privileges", "get_catalogs",
             "get_tables", "get_columns")


def _sqlstate_of(exc) -> str:
    if isinstance(exc, CopyError):
        return "XX000"
    if isinstance(exc, UnsupportedError):
        return "0A000"
    if isinstance(exc, SqlSyntaxError):
        return "42601"
    return "XX000"


def to_redshift_connector_error(exc: BaseException):
    if isinstance(exc, redshift_connector.Error):
        return None
    server = server_message(exc)
    if server is not None:
        if server.dbapi_class == "InterfaceError":
            return redshift_connector.InterfaceError(str(exc).strip())
        fields = {"S": server.severity, "C": server.code, "M": server.message}
        # redshift_connector reports every error the server sends as a ProgrammingError
        return redshift_connector.ProgrammingError(fields)
    name = dbapi_class_name(exc)
    if name is None:
        return None
    if name == "OperationalError":
        return redshift_connector.OperationalError(str(exc))
    cls = getattr(redshift_connector, "NotSupportedError" if name == "NotSupportedError" else "ProgrammingError")
    return cls({"S": "ERROR", "C": _sqlstate_of(exc), "M": str(exc)})


class RedshiftConnectorCursor:
    def __init__(self, connection: "RedshiftConnectorConnection", paramstyle=None):
        self._connection = connection
        self._cur = connection.dwh.cursor()
        self.paramstyle = paramstyle or redshift_connector.paramstyle
        self.arraysize = 1
        self._rowcount = None

    @property
    def connection(self):
        return self._connection

    # -- execution -------------------------------------------------------------------------
    def execute(self, operation, args=None, stream=None, merge_socket_read=False):
        self._rowcount = None
        if stream is not None:
            return self._client_copy(operation, stream)
        with driver_errors(to_redshift_connector_error):
            sql, params = to_pyformat(operation, args, self.paramstyle)
            self._cur.execute(sql, params)
        return self

    def executemany(self, operation, param_sets):
        # as redshift_connector does: one execute per parameter set, rowcounts summed
        total = 0
        for params in param_sets:
            self.execute(operation, params)
            count = self.rowcount
            total = -1 if count == -1 or total == -1 else total + count
        self._rowcount = total
        return self

    def _client_copy(self, operation, stream):
        """execute(…, stream=f): COPY … FROM STDIN / TO STDOUT through the driver underneath."""
        if not _CLIENT_COPY.match(operation):
            raise refuse("cursor.execute(..., stream=...) of a statement other than COPY … FROM STDIN / TO STDOUT",
                          "a COPY from S3 needs no stream")
        dwh = self._connection.dwh
        with driver_errors(to_redshift_connector_error), dwh.lock, dwh.raw.cursor() as cur:
            cur.copy_expert(operation, stream)
            self._rowcount = cur.rowcount
        return self

    # -- results ---------------------------------------------------------------------------
    @property
    def description(self):
        return self._cur.description

    @property
    def rowcount(self) -> int:
        if self._rowcount is not None:
            return self._rowcount
        count = self._cur.rowcount
        return -1 if count is None else count

    @property
    def redshift_rowcount(self) -> int:
        return self.rowcount

    def fetchone(self):
        with driver_errors(to_redshift_connector_error):
            row = self._cur.fetchone()
        return None if row is None else list(row)

    def fetchmany(self, num=None):
        with driver_errors(to_redshift_connector_error):
            return tuple(list(r) for r in self._cur.fetchmany(self.arraysize if num is None else num))

    def fetchall(self):
        with driver_errors(to_redshift_connector_error):
            return tuple(list(r) for r in self._cur.fetchall())

    def __iter__(self):
        return self

    def __next__(self):
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def fetch_dataframe(self, num=None):
        """The result as a pandas DataFrame, column labels lower-cased as redshift_connector does."""
        import pandas

        columns = [c.lower() for c in column_names(self.description)] or None
        rows = self.fetchmany(num) if num else self.fetchall()
        return pandas.DataFrame([tuple(r) for r in rows], columns=columns)

    def fetch_numpy_array(self, num=None):
        import numpy

        return numpy.array(self.fetchmany(num) if num else self.fetchall())

    def write_dataframe(self, df, table: str) -> None:
        """INSERT each row of ``df`` into an existing ``table`` (``name`` or ``schema.name``),
        columns in the table's order, as redshift_connector does."""
        parts = table.split(".")
        if len(parts) > 2 or not all(_IDENT.fullmatch(p) for p in parts):
            raise redshift_connector.InterfaceError(f"Invalid table name passed to write_dataframe: {table}")
        qualified = ".".join(quote_ident(p.strip('"')) for p in parts)
        dwh = self._connection.dwh
        with dwh.lock, dwh.raw.cursor() as cur:
            cur.execute("SELECT to_regclass(%s)", (qualified,))
            exists = cur.fetchone()[0] is not None
        if not exists:
            raise redshift_connector.InterfaceError(f"Invalid table name passed to write_dataframe: {table}")
        rows = df.values.tolist()
        if not rows:
            return
        sql = f"INSERT INTO {qualified} VALUES ({', '.join(['%s'] * len(rows[0]))})"
        try:
            self._cur.executemany(sql, rows)
        except Exception as exc:  # redshift_connector reports any failed insert this way
            raise redshift_connector.InterfaceError(
                f"An error occurred when attempting to insert the pandas.DataFrame into ${table}") from exc
        self._rowcount = len(rows)

    def callproc(self, procname, parameters=None):
        raise refuse("cursor.callproc()", "run CALL with cursor.execute()")

    def insert_data_bulk(self, *args, **kwargs):
        raise refuse("cursor.insert_data_bulk()", "load the file with COPY, or use write_dataframe()")

    def setinputsizes(self, *sizes):
        pass

    def setoutputsize(self, size, column=None):
        pass

    def close(self):
        self._cur.close()

    def __getattr__(self, name):
        if name in _METADATA:
            def refused(*args, **kwargs):
                raise refuse(f"cursor.{name}()", "the metadata API reads Redshift's own catalog views; "
                              "query information_schema with cursor.execute() instead")
            return refused
        raise AttributeError(f"redshift_connector cursor.{name} is not emulated by dwhkit.patch()")


class RedshiftConnectorConnection:
    """What ``redshift_connector.connect(host=<a Redshift host>, …)`` returns under dwhkit.patch()."""

    def __init__(self, dwh):
        self.dwh = dwh   # the dwhkit.connection.Connection underneath

    def cursor(self):
        if self.dwh.raw.closed:
            raise redshift_connector.InterfaceError("connection is closed")
        return RedshiftConnectorCursor(self)

    def commit(self):
        with driver_errors(to_redshift_connector_error):
            self.dwh.commit()

    def rollback(self):
        with driver_errors(to_redshift_connector_error):
            self.dwh.rollback()

    def close(self):
        if self.dwh.raw.closed:
            raise redshift_connector.InterfaceError("connection is closed")
        self.dwh.close()

    @property
    def autocommit(self) -> bool:
        return self.dwh.autocommit

    @autocommit.setter
    def autocommit(self, value: bool):
        self.dwh.autocommit = value

    @property
    def in_transaction(self) -> bool:
        return self.dwh.in_transaction

    def run(self, sql, stream=None, **params):
        raise refuse("connection.run()", "use cursor().execute()")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # redshift_connector: leaving the block closes the connection (an open transaction is lost)
        if not self.dwh.raw.closed:
            self.dwh.close()

    def __getattr__(self, name):
        raise AttributeError(f"redshift_connector connection.{name} is not emulated by dwhkit.patch()")

    def __repr__(self) -> str:
        return f"<redshift_connector-compatible connection over {self.dwh!r}>"
