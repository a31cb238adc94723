"""One client of the endpoint: its own backend session on the embedded Postgres, messages forwarded.

Design: a forwarding proxy. After startup and authentication, every message goes to the client's
own backend session untouched, except the SQL-bearing ones (Query, Parse), whose Redshift text is
replaced by its translation, and the statements the proxy runs itself (COPY, UNLOAD, COPY JOB,
statements that translate to several). Everything Postgres sends back — row descriptions with
their type OIDs, text and binary values, errors, notices, transaction status — reaches the client
byte for byte, so results are exactly what Postgres produces for the translated statement.

Responses the proxy makes up must stay in order with the backend's: before answering on its own,
the session "settles" — it ends any forwarded extended-query batch with a Sync of its own (its
ReadyForQuery swallowed) and forwards the backend's output until nothing is outstanding. A client
that errored in that batch skips to its Sync, as Postgres's clients do. Known difference: a
multi-statement simple Query that contains a COPY runs its parts one after another, each in its own
implicit transaction, where Postgres would run them all in one. A COPY itself runs in this session
(bulk.py, wire_conn.py), inside the client's transaction.
"""
from __future__ import annotations

import logging
import secrets
import select
import socket
import struct
from collections import deque

from . import wire
from .auth import AuthFailed, authenticate_client, login_to_backend
from .bulk import BulkOutcome, BulkRunner
from .rewrite import Step, plan_query, plan_statement
from .wire_conn import WireConnection, WireError
from .wire_conn import error_text as wire_error_text

log = logging.getLogger("dwhkit.serve")

REDSHIFT_SERVER_VERSION = "8.0.2"  # what Redshift reports; redshift_connector refuses others (§11)
# Startup parameters forwarded to Postgres; anything else a Redshift driver sends
# (client_protocol_version, driver_version, os_version, plugin_name, …) is accepted and ignored.
FORWARDED_STARTUP = {"application_name", "client_encoding", "datestyle", "timezone", "extra_float_digits",
                     "intervalstyle", "search_path", "statement_timeout", "options"}
DEFAULT_SEARCH_PATH = "public,dwhkit_system"  # AMBIG: Redshift's is "$user, public" (r_search_path)
FORWARD, SWALLOW = "forward", "swallow"
PARSE_COMPLETE, BIND_COMPLETE, CLOSE_COMPLETE = wire.message(b"1"), wire.message(b"2"), wire.message(b"3")
NO_DATA, NO_PARAMETERS = wire.message(b"n"), wire.message(b"t", b"\0\0")


class ClientGone(Exception):
    """The client ended the session (Terminate or a closed socket)."""


class Session:
    def __init__(self, server, sock: socket.socket):
        self.server = server
        self.sock = sock
        self.reader = wire.MessageReader(sock)
        self.backend: socket.socket | None = None
        self.breader: wire.MessageReader | None = None
        self.out = bytearray()          # to the client, flushed before blocking
        self.to_backend = bytearray()   # to the backend, likewise
        self.expect: deque[str] = deque()   # one entry per ReadyForQuery the backend owes
        self.status = b"I"
        self.unsynced = False           # forwarded extended-query messages not yet followed by Sync
        self.skip_until_sync = False
        self.error_since_ready = False
        self.sub: dict | None = None    # an internal backend query in progress (see _backend_run)
        self.fake_statements: dict[str, Step] = {}
        self.fake_portals: dict[str, Step] = {}
        self.backend_pid = 0
        self.backend_key = 0
        self.cancel_key = secrets.randbits(31)
        self.runner: BulkRunner | None = None
        self.bulk_running = False
        self.copy_in = False            # the backend is in COPY FROM STDIN, waiting for the client

    # -- lifecycle ------------------------------------------------------------------------------
    def run(self) -> None:
        try:
            if self._startup():
                self._loop()
        except (ClientGone, ConnectionError, OSError, wire.ProtocolViolation, ValueError, struct.error):
            pass
        except Exception:  # noqa: BLE001 - one client's failure must not take the server down
            log.exception("client session failed")
        finally:
            self.close()

    def close(self) -> None:
        self.server.unregister(self)
        if self.runner is not None:
            self.runner.close()
        for s in (self.backend, self.sock):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass

    def cancel(self) -> None:
        """A CancelRequest for this session: stop what its backend (or its bulk load) is doing."""
        if self.bulk_running and self.runner is not None:
            self.runner.cancel()
        self.cancel_backend()

    def cancel_backend(self) -> None:
        try:
            with socket.create_connection(self.server.backend_address, timeout=5) as s:
                s.sendall(wire.cancel_packet(self.backend_pid, self.backend_key))
                s.recv(1)
        except OSError:
            pass

    # -- startup --------------------------------------------------------------------------------
    def _startup(self) -> bool:
        settings = self.server.settings
        tls_done = False
        while True:
            body = self.reader.read_startup()
            code, params = wire.parse_startup(body)
            if code == wire.SSL_REQUEST and not tls_done:
                if self.server.ssl_context is None:
                    self.sock.sendall(b"N")
                else:
                    self.sock.sendall(b"S")
                    self.sock = self.server.ssl_context.wrap_socket(self.sock, server_side=True)
                    self.reader = wire.MessageReader(self.sock)
                    tls_done = True
                continue
            if code == wire.GSSENC_REQUEST:
                self.sock.sendall(b"N")
                continue
            if code == wire.CANCEL_REQUEST:
                self.server.cancel(*struct.unpack_from("!ii", body, 4))
                return False
            if code != wire.PROTOCOL_V3:
                self.sock.sendall(wire.error_response("unsupported frontend protocol", "0A000", "FATAL"))
                return False
            break
        user = params.get("user", "")
        database = params.get("database") or user
        try:
            authenticate_client(self.sock, self.reader, settings.auth, settings.user, settings.password)
            if user != settings.user:
                raise AuthFailed("user")
        except AuthFailed:
            self.sock.sendall(wire.error_response(f'password authentication failed for user "{user}"',
                                                  "28P01", "FATAL"))
            return False
        if database not in self.server.databases:
            self.sock.sendall(wire.error_response(f'database "{database}" does not exist', "3D000", "FATAL"))
            return False
        self.sock.sendall(wire.auth_request(0))
        self.runner = BulkRunner(self.server.databases[database])
        try:
            self._connect_backend(params, database)
        except (OSError, ConnectionError) as exc:
            # The backend's own words may name its role; the client learns only that it is down.
            log.warning("dwh serve: the warehouse behind the endpoint is not reachable (%s)", type(exc).__name__)
            self.sock.sendall(wire.error_response("the warehouse behind dwh serve is not reachable", "08006",
                                                  "FATAL"))
            return False
        return True

    def _connect_backend(self, client_params: dict[str, str], dbname: str) -> None:
        host, port, user, password, _ = self.server.backend
        params = {"user": user, "database": dbname, "search_path": DEFAULT_SEARCH_PATH, "TimeZone": "UTC"}
        for key, value in client_params.items():
            if key.lower() in FORWARDED_STARTUP:
                params["TimeZone" if key.lower() == "timezone" else key] = value
        self.backend = socket.create_connection((host, port), timeout=30)
        self.backend.settimeout(None)
        for s in (self.backend, self.sock):
            try:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        self.breader = wire.MessageReader(self.backend)
        self.backend.sendall(wire.startup_packet(params))
        login_to_backend(self.backend, self.breader, user, password)
        while True:
            kind, raw = self.breader.read()
            if kind == b"K":
                self.backend_pid, self.backend_key = struct.unpack_from("!ii", raw, 5)
                self.server.register(self)
                self.out += wire.backend_key_data(self.backend_pid, self.cancel_key)
            elif kind == b"S":
                name, pos = wire.read_cstr(raw, 5)
                if name == "server_version" and client_params.get("application_name") != "psql":
                    # AMBIG, decided here: Redshift's 8.0.2 for every client (redshift_connector refuses
                    # anything else) but psql, whose \d and \dt pick their catalog queries by this
                    # version and need the real one to work on Postgres 15.
                    raw = wire.parameter_status(name, REDSHIFT_SERVER_VERSION)
                elif name == "session_authorization":
                    raw = wire.parameter_status(name, self.server.settings.user)
                self.out += raw
            elif kind == b"Z":
                self.status = raw[5:6]
                self.out += raw
                self._flush()
                return
            else:  # NoticeResponse, or an ErrorResponse (FATAL) after which the backend hangs up
                self.out += raw
                if kind == b"E":
                    self._flush()
                    raise ClientGone()

    # -- the loop -------------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            self._flush()
            if self.expect and not self.copy_in and not self.reader.pending():
                # A reply is owed and the client has nothing buffered: wait on the backend alone
                # (one select fewer per round trip). Not during COPY FROM STDIN: the backend waits
                # for the client's data then.
                self._pump()
                continue
            if not self.reader.pending() and not self.breader.pending():
                readable, _, _ = select.select([self.sock, self.backend], [], [])
            else:
                readable = []
            if self.backend in readable or self.breader.pending():
                self._pump()
            if self.sock in readable or self.reader.pending():
                self._client_message(*self.reader.read())
                while len(self.reader.buf) >= 5 and self.reader.pending():
                    self._client_message(*self.reader.read())

    def _flush(self) -> None:
        if self.to_backend:
            self.backend.sendall(self.to_backend)
            self.to_backend.clear()
        if self.out:
            self.sock.sendall(self.out)
            self.out.clear()

    def _forward(self, raw: bytes) -> None:
        self.to_backend += raw

    def _pump(self) -> None:
        """Forward what the backend has sent (at least one message; blocks until it arrives)."""
        if self.to_backend:
            self.backend.sendall(self.to_backend)
            self.to_backend.clear()
        for kind, raw in self.breader.read_available():
            if kind == b"Z":
                self.status = raw[5:6]
                self.copy_in = False
                owner = self.expect.popleft() if self.expect else FORWARD
                if owner == FORWARD:
                    self.out += raw
                    self.error_since_ready = False
                elif self.sub is not None:
                    self.sub["done"] = True
                continue
            if kind == b"G":
                self.copy_in = True
            if self.sub is not None:
                self._sub_message(kind, raw)
                continue
            if kind == b"E":
                self.error_since_ready = True
            self.out += raw
        if len(self.out) > 65536:
            self.sock.sendall(self.out)
            self.out.clear()

    def _settle(self) -> None:
        """Get every forwarded message answered before the proxy answers anything itself."""
        if self.unsynced:
            self._forward(wire.message(b"S"))
            self.expect.append(SWALLOW)
            self.unsynced = False
        while self.expect:
            self._pump()
        if self.error_since_ready:
            self.skip_until_sync = True
            self.error_since_ready = False

    # -- client messages ------------------------------------------------------------------------
    def _client_message(self, kind: bytes, raw: bytes) -> None:
        if kind == b"X":
            raise ClientGone()
        if self.skip_until_sync and kind != b"S":
            return
        handler = _HANDLERS.get(kind)
        if handler is None:  # CopyData/CopyDone/CopyFail, FunctionCall, …
            self._forward(raw)
        else:
            handler(self, raw)

    def _query(self, raw: bytes) -> None:
        text = wire.read_cstr(raw, 5)[0]
        steps = plan_query(text, self.server.system_catalog)
        if len(steps) == 1 and steps[0].kind == "forward" or not steps:
            sql = steps[0].sql if steps else text
            self._forward(raw if sql == text else wire.message(b"Q", wire.cstr(sql)))
            self.expect.append(FORWARD)
            return
        self._settle()
        for step in steps:
            if step.kind == "forward":
                if not self._backend_run(step.sql, keep=None):
                    break
            elif step.kind == "script":
                if not self._script(step.sql):
                    break
            elif step.kind == "bulk":
                if not self._bulk(step.sql, with_rows=True):
                    break
            else:
                self._refuse(step.sql, step.code)
                break
        self.out += wire.ready_for_query(self.status)

    def _parse(self, raw: bytes) -> None:
        name, text, pos = wire.parse_message_parts(raw)
        step = plan_statement(text, self.server.system_catalog)
        self.fake_statements.pop(name, None)
        if step.kind == "forward":
            self._forward(raw if step.sql == text else wire.build_parse(name, step.sql, raw[pos:]))
            self.unsynced = True
            return
        self._settle()
        if self.skip_until_sync:
            return
        if step.kind == "error":
            self._refuse(step.sql, step.code)
            self.skip_until_sync = True
            return
        self.fake_statements[name] = step
        self.out += PARSE_COMPLETE

    def _bind(self, raw: bytes) -> None:
        portal, statement = wire.bind_names(raw)
        if statement in self.fake_statements:
            self.fake_portals[portal] = self.fake_statements[statement]
            self._answer(BIND_COMPLETE)
        else:
            self.fake_portals.pop(portal, None)
            self._forward(raw)
            self.unsynced = True

    def _describe(self, raw: bytes) -> None:
        what, name = wire.target_name(raw)
        if what == "S" and name in self.fake_statements:
            self._answer(NO_PARAMETERS + NO_DATA)
        elif what == "P" and name in self.fake_portals:
            self._answer(NO_DATA)
        else:
            self._forward(raw)
            self.unsynced = True

    def _execute(self, raw: bytes) -> None:
        portal = wire.execute_portal(raw)
        step = self.fake_portals.get(portal)
        if step is None:
            self._forward(raw)
            self.unsynced = True
            return
        self._settle()
        if self.skip_until_sync:
            return
        ok = self._bulk(step.sql, with_rows=False) if step.kind == "bulk" else self._script(step.sql)
        if not ok:
            self.skip_until_sync = True

    def _close_message(self, raw: bytes) -> None:
        what, name = wire.target_name(raw)
        fakes = self.fake_statements if what == "S" else self.fake_portals
        if name in fakes:
            del fakes[name]
            self._answer(CLOSE_COMPLETE)
        else:
            self._forward(raw)
            self.unsynced = True

    def _sync(self, raw: bytes) -> None:
        self.skip_until_sync = False
        self._forward(raw)
        self.expect.append(FORWARD)
        self.unsynced = False

    def _flush_message(self, raw: bytes) -> None:
        self._forward(raw)

    def _answer(self, msg: bytes) -> None:
        self._settle()
        if not self.skip_until_sync:
            self.out += msg

    # -- what the proxy runs itself -------------------------------------------------------------
    def _backend_run(self, sql: str, keep) -> bool:
        """Run ``sql`` as a simple Query on the backend; forward its messages (only the kinds in
        ``keep``, all when None) and swallow its ReadyForQuery. True when it did not fail."""
        self.sub = {"keep": keep, "error": None, "tag": None, "done": False}
        self._forward(wire.message(b"Q", wire.cstr(sql)))
        self.expect.append(SWALLOW)
        try:
            while not self.sub["done"]:
                self._pump()
            return self.sub["error"] is None
        finally:
            self.sub_result, self.sub = self.sub, None

    def _sub_message(self, kind: bytes, raw: bytes) -> None:
        if kind == b"E":
            self.sub["error"] = raw
        elif kind == b"C" and self.sub["tag"] is None:
            self.sub["tag"] = raw
        keep = self.sub["keep"]
        if keep is None or kind in keep:
            self.out += raw

    def _script(self, sql: str) -> bool:
        """A statement that translates to several: run them, answer its first CommandComplete."""
        ok = self._backend_run(sql, keep=(b"E", b"N"))
        if ok and self.sub_result["tag"] is not None:
            self.out += self.sub_result["tag"]
        return ok

    def _refuse(self, message_text: str, code: str) -> None:
        """An error the proxy raises; inside a transaction block the backend's transaction must
        fail too (so that it reports 'E' and refuses statements until ROLLBACK, as Postgres does)."""
        if self.status != b"I":
            self._backend_run("DO $dwhkit$BEGIN RAISE EXCEPTION 'refused by dwh serve'; END$dwhkit$", keep=())
        self.out += wire.error_response(message_text, code)

    def _bulk(self, statement: str, with_rows: bool) -> bool:
        """COPY loads in this session (WireConnection); UNLOAD and COPY JOB run in a side session."""
        in_block = self.status != b"I"
        self.bulk_running = True
        try:
            outcome: BulkOutcome = self.runner.run(statement, WireConnection(self))
        except Exception as exc:  # noqa: BLE001 - reported to the client as Postgres reports errors
            self.bulk_running = False
            if in_block and self.status == b"T":
                # Redshift: an error inside a transaction block aborts the transaction (the load
                # itself was undone in its savepoint); the session must report 'E' until ROLLBACK.
                self._backend_run("DO $dwhkit$BEGIN RAISE EXCEPTION 'COPY failed'; END$dwhkit$", keep=())
            self.out += wire.error_response(_error_text(exc), getattr(exc, "pgcode", None) or "XX000")
            return False
        finally:
            self.bulk_running = False
        for text in outcome.notices:
            self.out += wire.notice_response(text)
        if with_rows and outcome.columns:
            self.out += wire.row_description(outcome.columns)
        for row in outcome.rows if with_rows else ():
            self.out += wire.data_row(list(row))
        self.out += wire.command_complete(outcome.tag)
        return True


    # -- the backend session as a driver connection, for the COPY emulation (wire_conn.py) ----------
    def _read_internal(self):
        """The backend's messages until ReadyForQuery: (columns, rows, tag, error raw)."""
        columns, rows, tag, error = [], [], "", None
        while True:
            kind, raw = self.breader.read()
            if kind == b"T":
                columns = _row_description(raw)
            elif kind == b"D":
                rows.append(_data_row(raw))
            elif kind == b"C":
                tag = wire.read_cstr(raw, 5)[0]
            elif kind == b"E":
                error = raw
            elif kind == b"S":
                self.out += raw
            elif kind == b"Z":
                self.status = raw[5:6]
                self.copy_in = False
                return columns, rows, tag, error

    def internal_query(self, sql: str):
        self._flush_backend()
        self.backend.sendall(wire.message(b"Q", wire.cstr(sql)))
        columns, rows, tag, error = self._read_internal()
        if error is not None:
            raise WireError(wire_error_text(error)[0])
        return columns, rows, tag

    def internal_copy_in(self, sql: str, data, size: int) -> None:
        self._flush_backend()
        self.backend.sendall(wire.message(b"Q", wire.cstr(sql)))
        while True:
            kind, raw = self.breader.read()
            if kind == b"G":
                break
            if kind == b"E":
                self._read_internal()
                raise WireError(wire_error_text(raw)[0])
        try:
            while True:
                block = data.read(size)
                if not block:
                    break
                self.backend.sendall(wire.message(b"d", bytes(block)))
        except BaseException as exc:
            self.backend.sendall(wire.message(b"f", wire.cstr(f"COPY data failed: {type(exc).__name__}")))
            self._read_internal()
            raise
        self.backend.sendall(wire.message(b"c"))
        _, _, _, error = self._read_internal()
        if error is not None:
            raise WireError(wire_error_text(error)[0])

    def _flush_backend(self) -> None:
        if self.to_backend:
            self.backend.sendall(self.to_backend)
            self.to_backend.clear()


def _row_description(raw: bytes) -> list[tuple[str, int]]:
    count = struct.unpack_from("!h", raw, 5)[0]
    pos, out = 7, []
    for _ in range(count):
        name, pos = wire.read_cstr(raw, pos)
        oid = struct.unpack_from("!i", raw, pos + 6)[0]
        out.append((name, oid))
        pos += 18
    return out


def _data_row(raw: bytes) -> list[str | None]:
    count = struct.unpack_from("!h", raw, 5)[0]
    pos, out = 7, []
    for _ in range(count):
        length = struct.unpack_from("!i", raw, pos)[0]
        pos += 4
        if length < 0:
            out.append(None)
        else:
            out.append(raw[pos:pos + length].decode("utf-8"))
            pos += length
    return out


def _error_text(exc: BaseException) -> str:
    text = getattr(exc, "pgerror", None) or str(exc) or type(exc).__name__
    text = text.strip()
    return text[len("ERROR:"):].strip() if text.startswith("ERROR:") else text


_HANDLERS = {
    b"Q": Session._query, b"P": Session._parse, b"B": Session._bind, b"D": Session._describe,
    b"E": Session._execute, b"C": Session._close_message, b"S": Session._sync, b"H": Session._flush_message,
}
