"""PostgreSQL v3 wire messages: framing in, building out.

Why hand-written: the proxy forwards almost every message untouched, so it only needs to find
message boundaries and build the handful of messages it answers itself (authentication, errors,
notices, command tags). A full protocol library would decode and re-encode rows it never needs to
look at, and lose byte-exactness (type OIDs, binary formats) on the way.
https://www.postgresql.org/docs/15/protocol-message-formats.html
"""
from __future__ import annotations

import struct

PROTOCOL_V3 = 196608
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102

_I32 = struct.Struct("!i")


class ProtocolViolation(Exception):
    """The peer sent something that is not the protocol; the connection is dropped."""


class MessageReader:
    """Buffered reads of whole messages from a socket (plain or TLS).

    The buffer is consumed by moving an offset, not by deleting its head: a 64 KB read of small
    DataRows would otherwise be shifted once per message. It is compacted when a read needs room."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.pos = 0
        self._tls_pending = getattr(sock, "pending", None)  # decrypted bytes select() cannot see

    def complete(self) -> bool:
        """Whether a whole message is buffered."""
        buf, pos = self.buf, self.pos
        return len(buf) - pos >= 5 and len(buf) - pos >= 1 + _I32.unpack_from(buf, pos + 1)[0]

    def pending(self) -> bool:
        """Whether a message may be read without blocking on the socket."""
        if self.complete():
            return True
        return self._tls_pending is not None and self._tls_pending() > 0

    def recv_some(self, need: int = 1) -> None:
        """One socket read (blocking), appended to the buffer."""
        if self.pos:
            if self.pos == len(self.buf):
                self.buf.clear()
            else:
                del self.buf[:self.pos]
            self.pos = 0
        chunk = self.sock.recv(65536 if need <= 65536 else need)
        if not chunk:
            raise ConnectionError("peer closed the connection")
        self.buf += chunk

    def _fill(self, need: int) -> None:
        while len(self.buf) - self.pos < need:
            self.recv_some(need - (len(self.buf) - self.pos))

    def read_startup(self) -> bytes:
        """The untyped first packet: length, then body (protocol code + payload)."""
        self._fill(4)
        length = _I32.unpack_from(self.buf, self.pos)[0]
        if not 8 <= length <= 10000:
            raise ProtocolViolation("invalid startup packet length")
        self._fill(length)
        body = bytes(self.buf[self.pos + 4:self.pos + length])
        self.pos += length
        return body

    def read(self) -> tuple[bytes, bytes]:
        """One typed message: (type byte, whole raw message including header)."""
        self._fill(5)
        length = _I32.unpack_from(self.buf, self.pos + 1)[0]
        if length < 4:
            raise ProtocolViolation("invalid message length")
        self._fill(1 + length)
        start = self.pos
        raw = bytes(self.buf[start:start + 1 + length])
        self.pos = start + 1 + length
        return raw[:1], raw

    def read_available(self) -> list[tuple[bytes, bytes]]:
        """Every whole message buffered after at least one socket read (for bulk forwarding)."""
        out = [self.read()]
        while self.complete():
            out.append(self.read())
        return out


def message(kind: bytes, body: bytes = b"") -> bytes:
    return kind + _I32.pack(len(body) + 4) + body


def cstr(text: str) -> bytes:
    return text.encode("utf-8") + b"\0"


def parse_startup(body: bytes) -> tuple[int, dict[str, str]]:
    code = _I32.unpack_from(body, 0)[0]
    params: dict[str, str] = {}
    if code == PROTOCOL_V3:
        parts = body[4:].split(b"\0")
        for key, value in zip(parts[0::2], parts[1::2]):
            if key:
                params[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return code, params


def startup_packet(params: dict[str, str]) -> bytes:
    body = _I32.pack(PROTOCOL_V3) + b"".join(cstr(k) + cstr(v) for k, v in params.items()) + b"\0"
    return _I32.pack(len(body) + 4) + body


def cancel_packet(pid: int, key: int) -> bytes:
    return struct.pack("!iiii", 16, CANCEL_REQUEST, pid, key)


def fields(body: bytes) -> dict[str, str]:
    """The fields of an ErrorResponse/NoticeResponse body ('S', 'C', 'M', …)."""
    out = {}
    for part in body.split(b"\0"):
        if part:
            out[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return out


def error_response(message_text: str, code: str = "XX000", severity: str = "ERROR", **extra: str) -> bytes:
    body = b"S" + cstr(severity) + b"V" + cstr(severity) + b"C" + cstr(code) + b"M" + cstr(message_text)
    for key, value in extra.items():
        body += key.encode() + cstr(value)
    return message(b"E", body + b"\0")


def notice_response(message_text: str, severity: str = "INFO", code: str = "00000") -> bytes:
    body = b"S" + cstr(severity) + b"V" + cstr(severity) + b"C" + cstr(code) + b"M" + cstr(message_text)
    return message(b"N", body + b"\0")


def command_complete(tag: str) -> bytes:
    return message(b"C", cstr(tag))


def ready_for_query(status: bytes) -> bytes:
    return message(b"Z", status)


def parameter_status(name: str, value: str) -> bytes:
    return message(b"S", cstr(name) + cstr(value))


def backend_key_data(pid: int, key: int) -> bytes:
    return message(b"K", struct.pack("!ii", pid, key))


def auth_request(code: int, payload: bytes = b"") -> bytes:
    return message(b"R", _I32.pack(code) + payload)


def row_description(names: list[str]) -> bytes:
    """Text columns (OID 25) only: for the few result sets the proxy builds itself."""
    body = struct.pack("!h", len(names))
    for name in names:
        body += cstr(name) + struct.pack("!ihihih", 0, 0, 25, -1, -1, 0)
    return message(b"T", body)


def data_row(values: list) -> bytes:
    body = struct.pack("!h", len(values))
    for value in values:
        if value is None:
            body += _I32.pack(-1)
        else:
            data = str(value).encode("utf-8")
            body += _I32.pack(len(data)) + data
    return message(b"D", body)


def read_cstr(data: bytes, pos: int) -> tuple[str, int]:
    end = data.index(b"\0", pos)
    return data[pos:end].decode("utf-8", "replace"), end + 1


def parse_message_parts(raw: bytes) -> tuple[str, str, int]:
    """Parse message: (statement name, query text, offset of the parameter-type section)."""
    name, pos = read_cstr(raw, 5)
    query, pos = read_cstr(raw, pos)
    return name, query, pos


def build_parse(name: str, query: str, tail: bytes) -> bytes:
    return message(b"P", cstr(name) + cstr(query) + tail)


def bind_names(raw: bytes) -> tuple[str, str]:
    """Bind message: (portal name, statement name)."""
    portal, pos = read_cstr(raw, 5)
    stmt, _ = read_cstr(raw, pos)
    return portal, stmt


def target_name(raw: bytes) -> tuple[str, str]:
    """Describe/Close message: ('S' or 'P', name)."""
    return chr(raw[5]), read_cstr(raw, 6)[0]


def execute_portal(raw: bytes) -> str:
    return read_cstr(raw, 5)[0]


def auth_code(raw: bytes) -> int:
    return _I32.unpack_from(raw, 5)[0]


def unpack_i32(data: bytes, pos: int = 0) -> int:
    return _I32.unpack_from(data, pos)[0]


def pack_i32(value: int) -> bytes:
    return _I32.pack(value)


def parse_row_description(raw: bytes) -> list[tuple[str, int, int, int]]:
    """Each column's (name, type OID, type length, type modifier)."""
    count = struct.unpack_from("!h", raw, 5)[0]
    pos, out = 7, []
    for _ in range(count):
        name, pos = read_cstr(raw, pos)
        oid, size, modifier = struct.unpack_from("!ihi", raw, pos + 6)
        out.append((name, oid, size, modifier))
        pos += 18
    return out


def parse_data_row(raw: bytes) -> list[str | None]:
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


def error_fields(raw: bytes | None) -> tuple[str, str] | None:
    """An ErrorResponse's (message, SQLSTATE)."""
    if raw is None:
        return None
    f = fields(raw[5:-1])
    return f.get("M", "error"), f.get("C", "XX000")
