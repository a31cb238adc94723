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
that errored in that batch skips to its Sync, as Postgres's clients do. A multi-statement Query
with a COPY in it runs its parts in one transaction, as Postgres runs such a message
(_run_as_one_query). A COPY or UNLOAD runs in this session (bulk.py; the target runs it over this
session, targets/pg_wire_session.py), inside the client's transaction.

Speed (bench/serve.py): the common round trip — one Query from an idle session, answered with
whole messages — touches no buffer: the received bytes go to the backend and the answer's bytes to
the client as they came, with a look at message headers only (an extended-query batch is sliced,
not parsed, past its Parse); translations are cached by the message's bytes. An idle session waits
on the client's socket alone; it selects on both while the backend may speak unasked.
"""
from __future__ import annotations

import logging
import secrets
import select
import socket
import struct
from collections import deque

from ..compat import split_statements
from ..identifiers import quote_ident
from . import wire
from .auth import AuthFailed, authenticate_client, login_to_backend
from .bulk import BulkOutcome, BulkRunner
from .forwarding import forwarded_parse, forwarded_query
from .rewrite import Step, plan_query, plan_statement, transaction_control

log = logging.getLogger("dwhkit.serve")

REDSHIFT_SERVER_VERSION = "8.0.2"  # what Redshift reports; redshift_connector refuses others (§11)
# Startup parameters forwarded to Postgres; anything else a Redshift driver sends
# (client_protocol_version, driver_version, os_version, plugin_name, …) is accepted and ignored.
FORWARDED_STARTUP = {"application_name", "client_encoding", "datestyle", "timezone", "extra_float_digits",
                     "intervalstyle", "search_path", "statement_timeout", "options"}
FORWARD, SWALLOW = "forward", "swallow"
PARSE_COMPLETE, BIND_COMPLETE, CLOSE_COMPLETE = wire.message(b"1"), wire.message(b"2"), wire.message(b"3")
NO_DATA, NO_PARAMETERS = wire.message(b"n"), wire.message(b"t", b"\0\0")
_Z, _E, _G, _Q, _P, _S = ord("Z"), ord("E"), ord("G"), ord("Q"), ord("P"), ord("S")
_SYNC = wire.message(b"S")
_I32 = struct.Struct("!i")
# Client messages forwarded unparsed while no made-up statement exists (see _client_messages):
# Bind, Describe, Execute, Close (extended query, answered before the next Sync), Flush, CopyData,
# CopyDone, CopyFail.
_EXTENDED = frozenset(b"BDEC")
_PLAIN = _EXTENDED | frozenset(b"Hdcf")


def search_path(target) -> str:
    """A client session's search path: the warehouse's schema, then dwhkit's system objects.

    AMBIG, decided here: Redshift's default is "$user, public"
    (https://docs.aws.amazon.com/redshift/latest/dg/r_search_path.html); the endpoint gives a
    client what dwhkit.connect() gives (the configured warehouse's schema first, ``public`` when
    there is none), so unqualified names mean the same on both. A client's own ``search_path``
    startup parameter or SET replaces it."""
    return f"{quote_ident(target.schema)},dwhkit_system"


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
        self.listening = False          # the session ran LISTEN: notifications may come unasked

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
        params = {"user": user, "database": dbname, "search_path": search_path(self.server.databases[dbname]),
                  "TimeZone": "UTC"}
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
        reader, breader = self.reader, self.breader
        while True:
            self._flush()
            if self.expect:
                if not self.copy_in and not reader.pending():
                    # A reply is owed and the client has nothing buffered: wait on the backend
                    # alone. Not during COPY FROM STDIN: the backend waits for the client's data.
                    self._pump()
                    continue
            elif not (self.unsynced or self.copy_in or self.listening) and not breader.complete():
                # Idle: the backend owes nothing, so wait on the client alone (no select per
                # round trip). Whatever the backend says meanwhile unasked (a FATAL before it
                # hangs up) reaches the client with the answer to its next message, as it would
                # on a direct connection; a LISTENing session waits on both (notifications), and
                # so does one whose extended-query messages await no Sync (a Flush's answers).
                if reader.pos == len(reader.buf):
                    self._idle_read()
                else:
                    self._client_messages()
                continue
            if reader.pending():
                self._client_messages()
                continue
            if breader.complete():
                self._pump()
                continue
            readable, _, _ = select.select([self.sock, self.backend], [], [])
            if self.backend in readable:
                self._pump()
            if self.sock in readable:
                self._client_messages()

    def _idle_read(self) -> None:
        """The next read of an idle session. The common case, one whole Query that is forwarded,
        goes straight to the backend from the bytes received (no buffering, no copy)."""
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("peer closed the connection")
        if data[0] == _Q and len(data) == 1 + _I32.unpack_from(data, 1)[0] and not self.skip_until_sync:
            forward, listens = forwarded_query(data, self.server.system_catalog)
            if forward is not None:
                if listens:
                    self.listening = True
                self.backend.sendall(forward)
                self.expect.append(FORWARD)
                return
        self.reader.buf += data
        self._client_messages()

    def _client_messages(self) -> None:
        """The client's buffered messages (one socket read first when none is whole).

        Bind/Describe/Execute/Close/Flush and COPY data name no statement the proxy made up while
        it has none: runs of them are forwarded as slices of the buffer, unparsed."""
        reader = self.reader
        buf, pos = reader.buf, reader.pos
        end = len(buf)
        if end - pos < 5 or end - pos < 1 + _I32.unpack_from(buf, pos + 1)[0]:
            reader.recv_some()
            buf, pos = reader.buf, reader.pos
            end = len(buf)
        plain = not (self.skip_until_sync or self.fake_statements or self.fake_portals)
        run = pos   # the start of forwarded messages not yet copied
        while end - pos >= 5:
            stop = pos + 1 + _I32.unpack_from(buf, pos + 1)[0]
            if stop < pos + 5:
                raise wire.ProtocolViolation("invalid message length")
            if stop > end:
                break
            kind = buf[pos]
            if plain and kind in _PLAIN:
                if kind in _EXTENDED:
                    self.unsynced = True
                pos = stop
                continue
            if run < pos:
                self.to_backend += buf[run:pos]
            if kind == _S:  # Sync, inline: one per extended-query batch
                self.skip_until_sync = self.unsynced = False
                self.to_backend += _SYNC
                self.expect.append(FORWARD)
            else:
                raw = bytes(buf[pos:stop])
                reader.pos = stop
                if self.skip_until_sync:
                    self._client_message(raw[:1], raw)
                elif kind == _Q:
                    self._query(raw)
                elif kind == _P:
                    self._parse(raw)
                else:
                    self._client_message(raw[:1], raw)
                # a handler may have read more of this client's messages (none does today)
                buf, stop = reader.buf, reader.pos
                end = len(buf)
            pos = run = stop
            plain = not (self.skip_until_sync or self.fake_statements or self.fake_portals)
        if run < pos:
            self.to_backend += buf[run:pos]
        reader.pos = pos

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
        """Forward what the backend has sent; blocks for one socket read when no whole message is
        buffered. The forwarded messages are copied to the client's buffer as one slice: only
        their headers are looked at (ReadyForQuery, CopyInResponse, ErrorResponse matter here)."""
        if self.to_backend:
            self.backend.sendall(self.to_backend)
            self.to_backend.clear()
        breader = self.breader
        buf, pos = breader.buf, breader.pos
        end = len(buf)
        if pos == end and self.sub is None and not self.out:
            # Nothing buffered: the answer goes to the client from the bytes received, uncopied,
            # when they hold whole messages and none of them is swallowed.
            data = self.backend.recv(65536)
            if not data:
                raise ConnectionError("peer closed the connection")
            if self._scan_whole(data):
                self.sock.sendall(data)
                return
            if pos:
                buf.clear()
                breader.pos = pos = 0
            buf += data
            end = len(buf)
        elif end - pos < 5 or end - pos < 1 + _I32.unpack_from(buf, pos + 1)[0]:
            breader.recv_some()
            buf, pos = breader.buf, breader.pos
            end = len(buf)
        if self.sub is not None:
            while breader.complete():
                self._sub_pumped(*breader.read())
            return
        out, expect = self.out, self.expect
        start = pos
        unpack = _I32.unpack_from
        while end - pos >= 5:
            stop = pos + 1 + unpack(buf, pos + 1)[0]
            if stop < pos + 5:
                raise wire.ProtocolViolation("invalid message length")
            if stop > end:
                break
            kind = buf[pos]
            if kind == _Z:
                self.status = bytes(buf[pos + 5:pos + 6])
                self.copy_in = False
                if (expect.popleft() if expect else FORWARD) == FORWARD:
                    self.error_since_ready = False
                else:  # the ReadyForQuery of the proxy's own Sync: swallowed
                    out += buf[start:pos]
                    start = stop
            elif kind == _E:
                self.error_since_ready = True
            elif kind == _G:
                self.copy_in = True
            pos = stop
        out += buf[start:pos]
        breader.pos = pos
        if len(out) > 65536:
            self.sock.sendall(out)
            out.clear()

    def _scan_whole(self, data: bytes) -> bool:
        """For bytes just read from the backend with nothing buffered before them: when they are
        whole messages and every ReadyForQuery among them is owed to the client, take note of
        them as _pump does and return True (the caller sends them on); else change nothing."""
        expect = self.expect
        status, copy_in, error, readies = None, self.copy_in, self.error_since_ready, 0
        end, pos = len(data), 0
        unpack = _I32.unpack_from
        while end - pos >= 5:
            stop = pos + 1 + unpack(data, pos + 1)[0]
            if stop < pos + 5:
                raise wire.ProtocolViolation("invalid message length")
            kind = data[pos]
            if kind == _Z:
                if readies >= len(expect) or expect[readies] != FORWARD:
                    return False
                readies += 1
                status, copy_in, error = data[pos + 5:pos + 6], False, False
            elif kind == _E:
                error = True
            elif kind == _G:
                copy_in = True
            pos = stop
        if pos != end:
            return False
        for _ in range(readies):
            expect.popleft()
        if status is not None:
            self.status = status
        self.copy_in, self.error_since_ready = copy_in, error
        return True

    def _sub_pumped(self, kind: bytes, raw: bytes) -> None:
        """A backend message while the proxy runs a query of its own (see _backend_run)."""
        if kind == b"Z":
            self.status = raw[5:6]
            self.copy_in = False
            owner = self.expect.popleft() if self.expect else FORWARD
            if owner == FORWARD:
                self.out += raw
                self.error_since_ready = False
            else:
                self.sub["done"] = True
            return
        if kind == b"G":
            self.copy_in = True
        self._sub_message(kind, raw)

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
        forward, listens = forwarded_query(raw, self.server.system_catalog)
        if listens:
            self.listening = True
        if forward is not None:
            self.to_backend += forward
            self.expect.append(FORWARD)
            return
        steps = plan_query(wire.read_cstr(raw, 5)[0], self.server.system_catalog)
        self._settle()
        if len(steps) == 1:
            self._run_step(steps[0])
        else:
            self._run_as_one_query(steps)
        self.out += wire.ready_for_query(self.status)

    def _run_step(self, step: Step) -> bool:
        if step.kind == "forward":
            return self._backend_run(step.sql, keep=None)
        if step.kind == "script":
            return self._script(step.sql)
        if step.kind == "bulk":
            return self._bulk(step.sql, with_rows=True)
        self._refuse(step.sql, step.code)
        return False

    def _run_as_one_query(self, steps) -> None:
        """Several steps of one Query message, in one transaction, as Postgres runs a multi-statement
        Query: statements outside an explicit block share an implicit one, committed at the end,
        rolled back (and the rest skipped) at the first error; a BEGIN among them turns it into an
        ordinary block, which the message may leave open; a COMMIT/ROLLBACK ends it, and what
        follows starts another. https://www.postgresql.org/docs/15/protocol-flow.html
        (53.2.2.1, "Multiple Statements in a Simple Query").

        AMBIG, decided here: AWS's pages do not describe a multi-statement Query; Redshift speaks
        Postgres 8's protocol, so Postgres's rule is taken. The proxy opens the implicit block with
        a BEGIN of its own (the COPY between the statements runs in it, in a savepoint); a client's
        BEGIN inside it is answered by the proxy (its options, e.g. ISOLATION LEVEL, are dropped)."""
        implicit = False   # a block the proxy opened for this message
        batch: list[str] = []

        def send_batch() -> bool:
            sql = ";\n".join(batch)
            batch.clear()
            return not sql or self._backend_run(sql, keep=None)

        def open_block() -> None:
            nonlocal implicit
            if self.status == b"I":
                self._backend_run("BEGIN", keep=())
                implicit = True

        ok = True
        for step in steps:
            if step.kind != "forward":
                open_block()
                if not (send_batch() and self._run_step(step)):
                    ok = False
                    break
                continue
            for statement in split_statements(step.sql):
                control = transaction_control(statement)
                if control == "begin" and implicit:
                    ok = send_batch()
                    self.out += wire.command_complete("BEGIN")
                    implicit = False
                elif control:
                    ok = send_batch() and self._backend_run(statement, keep=None)
                    if ok and implicit:  # Postgres ends an implicit block with this warning
                        self.out += wire.notice_response("there is no transaction in progress", "WARNING", "25P01")
                    implicit = False
                else:
                    open_block()
                    batch.append(statement)
                if not ok:
                    break
            if not ok:
                break
        if ok:
            send_batch()
        if implicit and self.status != b"I":
            # commit what the block did (its error, if any, goes to the client), or roll back a failure
            self._backend_run("COMMIT" if self.status == b"T" else "ROLLBACK", keep=(b"E",))

    def _parse(self, raw: bytes) -> None:
        forward, listens = forwarded_parse(raw, self.server.system_catalog)
        if listens:
            self.listening = True
        if forward is not None:
            if self.fake_statements:
                self.fake_statements.pop(wire.read_cstr(raw, 5)[0], None)
            self._forward(forward)
            self.unsynced = True
            return
        name, text, pos = wire.parse_message_parts(raw)
        step = plan_statement(text, self.server.system_catalog)
        self.fake_statements.pop(name, None)
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
        """COPY and UNLOAD run in this session (through the target); COPY JOB in a side session."""
        in_block = self.status != b"I"
        self.bulk_running = True
        try:
            outcome: BulkOutcome = self.runner.run(statement, self)
        except Exception as exc:  # noqa: BLE001 - reported to the client as Postgres reports errors
            self.bulk_running = False
            if in_block and self.status == b"T":
                # Redshift: an error inside a transaction block aborts the transaction (the load
                # itself was undone in its savepoint); the session must report 'E' until ROLLBACK.
                self._backend_run("DO $dwhkit$BEGIN RAISE EXCEPTION 'COPY or UNLOAD failed'; END$dwhkit$", keep=())
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


    # -- the backend session lent to the target's COPY and UNLOAD (targets/pg_wire_session.py) -------
    @property
    def idle(self) -> bool:
        """No transaction block is open in the backend session."""
        return self.status == b"I"

    def _read_internal(self):
        """The backend's messages until ReadyForQuery: (columns, rows, tag, error raw)."""
        columns, rows, tag, error = [], [], "", None
        while True:
            kind, raw = self.breader.read()
            if kind == b"T":
                columns = wire.parse_row_description(raw)
            elif kind == b"D":
                rows.append(wire.parse_data_row(raw))
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

    def run_simple_query(self, sql: str):
        """(columns [(name, type OID, type length, type modifier)], rows of text, tag, error
        (message, SQLSTATE) or None)."""
        self._flush_backend()
        self.backend.sendall(wire.message(b"Q", wire.cstr(sql)))
        columns, rows, tag, error = self._read_internal()
        return columns, rows, tag, wire.error_fields(error)

    def run_copy_in(self, sql: str, data, size: int):
        """COPY … FROM STDIN with ``data``'s blocks; the backend's error (message, SQLSTATE) or None."""
        self._flush_backend()
        self.backend.sendall(wire.message(b"Q", wire.cstr(sql)))
        while True:
            kind, raw = self.breader.read()
            if kind == b"G":
                break
            if kind == b"E":
                self._read_internal()
                return wire.error_fields(raw)
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
        return wire.error_fields(self._read_internal()[3])

    def _flush_backend(self) -> None:
        if self.to_backend:
            self.backend.sendall(self.to_backend)
            self.to_backend.clear()


def _error_text(exc: BaseException) -> str:
    text = getattr(exc, "pgerror", None) or str(exc) or type(exc).__name__
    text = text.strip()
    return text[len("ERROR:"):].strip() if text.startswith("ERROR:") else text


_HANDLERS = {
    b"Q": Session._query, b"P": Session._parse, b"B": Session._bind, b"D": Session._describe,
    b"E": Session._execute, b"C": Session._close_message, b"S": Session._sync, b"H": Session._flush_message,
}
