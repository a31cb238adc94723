"""The listening endpoint: accepts clients, one thread and one backend session per client.

Threads rather than asyncio: each session spends its time blocked on two sockets or inside
dwhkit's (synchronous) COPY emulation, and a thread per client keeps that code straight-line;
16 or 64 clients are a handful of idle threads. Cancel requests arrive on their own connection and
are matched to a session by its process id and secret key (constant-time compare), then sent on
as the backend session's own cancel key, which never leaves the server.
"""
from __future__ import annotations

import hmac
import logging
import socket
import threading
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..errors import ConfigError
from . import catalog
from .auth import METHODS
from .session import Session
from .system_catalog import SystemCatalog

log = logging.getLogger("dwhkit.serve")


@dataclass(frozen=True)
class ServeSettings:
    host: str
    port: int
    user: str
    password: str
    database: str
    auth: str

    def __repr__(self) -> str:  # the password never shows
        return (f"ServeSettings(host={self.host!r}, port={self.port}, user={self.user!r}, "
                f"database={self.database!r}, auth={self.auth!r})")

    def check(self) -> None:
        if not self.password:
            raise ConfigError("dwh serve needs a password: set DWH_SERVE_PASSWORD (or [SERVE] password)")
        if self.auth not in METHODS:
            raise ConfigError(f"[SERVE] auth must be one of {', '.join(METHODS)}, not {self.auth!r}")


def _backend_from_url(url: str) -> tuple[str, int, str, str, str]:
    parts = urlsplit(url)
    return (parts.hostname or "127.0.0.1", parts.port or 5432, unquote(parts.username or ""),
            unquote(parts.password or ""), unquote(parts.path.lstrip("/")))


class Server:
    def __init__(self, config, target, settings: ServeSettings, ssl_context=None):
        settings.check()
        self.config = config
        if not target.emulates_copy:
            raise ConfigError("dwh serve emulates Redshift on a Postgres target; the configured target is "
                              "Redshift itself")
        self.target = target
        self.settings = settings
        self.ssl_context = ssl_context
        self.backend: tuple[str, int, str, str, str] | None = None
        self.databases: dict = {}   # database name a client asks for → the target serving it
        self.system_catalog: SystemCatalog | None = None
        self.listener: socket.socket | None = None
        self.sessions: dict[int, Session] = {}
        self.lock = threading.Lock()
        self.threads: set[threading.Thread] = set()
        self.stopping = threading.Event()
        self._accept_thread: threading.Thread | None = None

    @property
    def backend_address(self) -> tuple[str, int]:
        return self.backend[0], self.backend[1]

    @property
    def address(self) -> tuple[str, int]:
        return self.listener.getsockname()[:2]

    def start(self) -> "Server":
        """Start the embedded Postgres if needed, install the catalog objects, listen."""
        self.target.connect_raw().close()  # starts the embedded server
        self.backend = _backend_from_url(self.target.url())
        self.databases = {self.backend[4]: self.target}
        if self.settings.database != self.backend[4]:
            self.databases[self.settings.database] = self._database_target(self.settings.database)
        for target in self.databases.values():
            raw = target.connect_raw()  # installs dwhkit's system objects
            try:
                catalog.install(raw)
                self.system_catalog = self.system_catalog or SystemCatalog.load(raw)
            finally:
                raw.close()
        family = socket.AF_INET6 if ":" in self.settings.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.settings.host, self.settings.port))
        listener.listen(128)
        self.listener = listener
        self._accept_thread = threading.Thread(target=self._accept_loop, name="dwh-serve-accept", daemon=True)
        self._accept_thread.start()
        return self

    def _database_target(self, name: str):
        """The target for Redshift's database name (``dev``), created beside the target's own.

        AMBIG, decided here: clients name ``dev`` in three-part names (dbt: "dev"."schema"."t") and
        compare current_database() with it, so it must be a real database of that name; the
        warehouse's own database stays reachable under its name (``dwh``), on the same endpoint."""
        return self.target.sibling(name)

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self.listener.accept()
            except OSError:
                break
            session = Session(self, sock)
            thread = threading.Thread(target=self._run_session, args=(session,), daemon=True,
                                      name="dwh-serve-client")
            with self.lock:
                self.threads.add(thread)
            thread.start()

    def _run_session(self, session: Session) -> None:
        try:
            session.run()
        finally:
            with self.lock:
                self.threads.discard(threading.current_thread())

    def register(self, session: Session) -> None:
        with self.lock:
            self.sessions[session.backend_pid] = session

    def unregister(self, session: Session) -> None:
        with self.lock:
            if self.sessions.get(session.backend_pid) is session:
                del self.sessions[session.backend_pid]

    def cancel(self, pid: int, key: int) -> None:
        with self.lock:
            session = self.sessions.get(pid)
        expected = session.cancel_key if session is not None else 0
        if hmac.compare_digest(expected.to_bytes(4, "big", signed=True), key.to_bytes(4, "big", signed=True)) \
                and session is not None:
            session.cancel()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, end every client session, wait for their threads."""
        self.stopping.set()
        if self.listener is not None:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
        with self.lock:
            sessions = list(self.sessions.values())
            threads = list(self.threads)
        for session in sessions:
            for s in (session.sock, session.backend):
                try:
                    if s is not None:
                        s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for thread in threads:
            thread.join(timeout)
        if self._accept_thread is not None:
            self._accept_thread.join(timeout)
