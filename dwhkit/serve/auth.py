"""Authenticating the endpoint's clients (server side) and the proxy itself to Postgres (client side).

Clients: MD5 (Redshift's own default, and the only hashed method ``redshift_connector`` can
complete, see REDSHIFT-SEMANTICS.md §11) or SCRAM-SHA-256 (psql, psycopg2, JDBC). Toward the
backend the proxy is a SCRAM client through ``scramp``; toward clients SCRAM is written out below. A failure says only "password authentication failed", as Postgres does, whatever
went wrong (user, database or password), and nothing secret is logged.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from scramp import ScramClient
from scramp.utils import saslprep

from . import wire

METHODS = ("md5", "scram-sha-256")
AUTH_OK, AUTH_CLEARTEXT, AUTH_MD5, AUTH_SASL, AUTH_SASL_CONTINUE, AUTH_SASL_FINAL = 0, 3, 5, 10, 11, 12


class AuthFailed(Exception):
    """The client did not prove it knows the password."""


def md5_response(user: str, password: str, salt: bytes) -> str:
    inner = hashlib.md5((password + user).encode("utf-8")).hexdigest()
    return "md5" + hashlib.md5(inner.encode("ascii") + salt).hexdigest()


def _password_message(reader) -> bytes:
    kind, raw = reader.read()
    if kind != b"p":
        raise AuthFailed("expected a password message")
    return raw[5:]


def authenticate_client(sock, reader, method: str, user: str, password: str) -> None:
    """Run the exchange for ``method``; raises AuthFailed unless the client proved the password."""
    if method == "md5":
        salt = secrets.token_bytes(4)
        sock.sendall(wire.auth_request(AUTH_MD5, salt))
        answer = _password_message(reader).rstrip(b"\0")
        if not hmac.compare_digest(answer, md5_response(user, password, salt).encode("ascii")):
            raise AuthFailed("md5")
        return
    _scram_exchange(sock, reader, password)


def _hmac(key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, hashlib.sha256).digest()


def _scram_exchange(sock, reader, password: str, iterations: int = 4096) -> None:
    """SCRAM-SHA-256 (RFC 5802, RFC 7677) as Postgres runs it, server side.

    Written out rather than taken from scramp: Postgres's clients (libpq, JDBC) send an empty user
    name (``n=,``) because the server takes the name from the startup packet, and scramp's server
    refuses an empty one. The proof compare is constant-time."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", saslprep(password).encode("utf-8"), salt, iterations)
    stored_key = hashlib.sha256(_hmac(salted, b"Client Key")).digest()
    server_key = _hmac(salted, b"Server Key")
    sock.sendall(wire.auth_request(AUTH_SASL, wire.cstr("SCRAM-SHA-256") + b"\0"))
    body = _password_message(reader)
    chosen, pos = wire.read_cstr(body, 0)
    if chosen != "SCRAM-SHA-256":
        raise AuthFailed("unsupported SASL mechanism")
    length = wire.unpack_i32(body, pos)
    try:
        client_first = body[pos + 4:pos + 4 + length].decode("utf-8")
        flag, _authzid, bare = client_first.split(",", 2)
        if flag not in ("n", "y"):  # "p=…": channel binding, which this server does not offer
            raise AuthFailed("channel binding")
        gs2_header = client_first[:len(client_first) - len(bare)]
        client_nonce = dict(a.split("=", 1) for a in bare.split(",") if "=" in a)["r"]
        nonce = client_nonce + base64.b64encode(secrets.token_bytes(18)).decode("ascii")
        server_first = f"r={nonce},s={base64.b64encode(salt).decode('ascii')},i={iterations}"
        sock.sendall(wire.auth_request(AUTH_SASL_CONTINUE, server_first.encode("utf-8")))
        client_final = _password_message(reader).decode("utf-8")
        without_proof, proof_b64 = client_final.rsplit(",p=", 1)
        attrs = dict(a.split("=", 1) for a in without_proof.split(","))
        if attrs.get("r") != nonce or base64.b64decode(attrs.get("c", "")) != gs2_header.encode("utf-8"):
            raise AuthFailed("scram nonce or binding")
        auth_message = f"{bare},{server_first},{without_proof}".encode("utf-8")
        proof = base64.b64decode(proof_b64)
        signature = _hmac(stored_key, auth_message)
        if len(proof) != len(signature):
            raise AuthFailed("scram proof")
        client_key = bytes(a ^ b for a, b in zip(proof, signature))
    except (KeyError, ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise AuthFailed("malformed scram message") from exc
    if not hmac.compare_digest(hashlib.sha256(client_key).digest(), stored_key):
        raise AuthFailed("scram proof")
    final = "v=" + base64.b64encode(_hmac(server_key, auth_message)).decode("ascii")
    sock.sendall(wire.auth_request(AUTH_SASL_FINAL, final.encode("ascii")))


def login_to_backend(sock, reader, user: str, password: str) -> None:
    """Answer the backend's authentication requests until AuthenticationOk."""
    scram = None
    while True:
        kind, raw = reader.read()
        if kind == b"E":
            raise ConnectionError("the embedded Postgres refused the proxy's login: "
                                  + wire.fields(raw[5:-1]).get("M", ""))
        if kind != b"R":
            raise ConnectionError("unexpected message during backend authentication")
        code = wire.auth_code(raw)
        if code == AUTH_OK:
            return
        if code == AUTH_CLEARTEXT:
            sock.sendall(wire.message(b"p", wire.cstr(password)))
        elif code == AUTH_MD5:
            sock.sendall(wire.message(b"p", wire.cstr(md5_response(user, password, raw[9:13]))))
        elif code == AUTH_SASL:
            mechanisms = [m for m in raw[9:].split(b"\0") if m]
            scram = ScramClient([m.decode() for m in mechanisms if m == b"SCRAM-SHA-256"], user, password)
            first = scram.get_client_first().encode("utf-8")
            sock.sendall(wire.message(b"p", wire.cstr("SCRAM-SHA-256") + wire.pack_i32(len(first)) + first))
        elif code == AUTH_SASL_CONTINUE and scram is not None:
            scram.set_server_first(raw[9:].decode("utf-8"))
            sock.sendall(wire.message(b"p", scram.get_client_final().encode("utf-8")))
        elif code == AUTH_SASL_FINAL and scram is not None:
            scram.set_server_final(raw[9:].decode("utf-8"))
        else:
            raise ConnectionError(f"the embedded Postgres asked for an unsupported authentication ({code})")
