"""A Postgres server that dwhkit initialises, starts on demand and keeps between runs.

Why: a laptop, a test run or CI should run the warehouse with no setup and no cloud account.
Postgres refuses to run as root, so when we are root the server runs as an unprivileged
system user (``postgres`` by default, ``DWH_EMBEDDED_OS_USER`` to change it).
"""
from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..errors import ServerError

SUPERUSER = "dwh"
DEFAULT_DATABASE = "dwh"
INSTALL_HINT = (
    "dwhkit's embedded target needs the PostgreSQL server binaries (initdb, pg_ctl, postgres).\n"
    "  Debian/Ubuntu: sudo apt-get install postgresql\n"
    "  Fedora/RHEL:   sudo dnf install postgresql-server\n"
    "  macOS:         brew install postgresql@15\n"
    "or point DWH_PG_BINDIR at the folder holding them, or use [TARGET] type = postgres."
)

# Settings for a local, rebuildable warehouse: durability traded for load speed. A crash of the
# machine (not of dwhkit) can lose the embedded data; rerun create_tables.py and etl.py.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_wal_size": "'2GB'",
    "shared_buffers": "'256MB'",
    "maintenance_work_mem": "'256MB'",
    "work_mem": "'32MB'",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "datestyle": "'ISO, MDY'",
    "max_connections": "100",
    "logging_collector": "off",
}


def find_bindir() -> Path:
    """Locate initdb/pg_ctl: $DWH_PG_BINDIR, Debian's versioned folders, then PATH."""
    candidates: list[str] = []
    if os.environ.get("DWH_PG_BINDIR"):
        candidates.append(os.environ["DWH_PG_BINDIR"])
    versioned = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                       key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
                       reverse=True)
    candidates += versioned
    candidates += sorted(glob.glob("/usr/pgsql-*/bin"), reverse=True)  # RHEL layout
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).resolve().parent))
    candidates += ["/opt/homebrew/opt/postgresql@15/bin", "/usr/local/opt/postgresql@15/bin"]
    for c in candidates:
        if all((Path(c) / exe).exists() for exe in ("initdb", "pg_ctl", "postgres")):
            return Path(c)
    raise ServerError("no PostgreSQL server binaries found.\n" + INSTALL_HINT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _traversable_by_others(path: Path) -> bool:
    """True if a different, unprivileged user can reach ``path`` (every ancestor has o+x)."""
    p = path.resolve()
    for ancestor in [p, *p.parents]:
        if not ancestor.exists():
            continue
        if not ancestor.stat().st_mode & 0o001:
            return False
    return True


@dataclass(frozen=True)
class ServerInfo:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    def dsn(self, dbname: str | None = None) -> dict:
        return {"host": self.host, "port": self.port, "user": self.user,
                "password": self.password, "dbname": dbname or self.dbname}

    def url(self, dbname: str | None = None) -> str:
        return (f"postgresql://{quote(self.user)}:{quote(self.password, safe='')}@"
                f"{self.host}:{self.port}/{quote(dbname or self.dbname)}")

    def __repr__(self) -> str:
        return f"ServerInfo(host={self.host!r}, port={self.port}, user={self.user!r}, password='***', dbname={self.dbname!r})"


class EmbeddedServer:
    """One Postgres cluster under ``root`` (``<root>/data``, ``<root>/log``, ``<root>/state.json``)."""

    def __init__(self, root: str | os.PathLike, port: int = 0, os_user: str | None = None):
        self.requested_root = Path(root).expanduser().resolve()
        self.requested_port = port
        self.os_user = os_user or os.environ.get("DWH_EMBEDDED_OS_USER") or "postgres"
        self.root = self._usable_root(self.requested_root)

    # -- layout ------------------------------------------------------------------------------
    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    def _usable_root(self, root: Path) -> Path:
        """As root, the server user must be able to reach the data folder; if the project sits
        under a private folder (e.g. /root), keep the cluster in /var/tmp instead and say so."""
        if not self.as_root:
            return root
        probe = root
        while not probe.exists():
            probe = probe.parent
        if _traversable_by_others(probe):
            return root
        digest = hashlib.sha1(str(root).encode()).hexdigest()[:12]
        return Path("/var/tmp") / f"dwhkit-{digest}"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_dir(self) -> Path:
        return self.root / "log"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "server.log"

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    # -- process helpers ---------------------------------------------------------------------
    def _run(self, args: list[str], check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        kwargs: dict = {"capture_output": True, "text": True, "timeout": timeout, "cwd": "/",
                        "env": {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}}
        if self.as_root:
            kwargs["user"] = self.os_user
            kwargs["group"] = pwd.getpwnam(self.os_user).pw_gid
            kwargs["extra_groups"] = []
        proc = subprocess.run(args, **kwargs)
        if check and proc.returncode != 0:
            raise ServerError(f"{Path(args[0]).name} failed (exit {proc.returncode}):\n"
                              f"{proc.stderr.strip() or proc.stdout.strip()}\n(server log: {self.log_file})")
        return proc

    def _chown_to_server_user(self, path: Path) -> None:
        if self.as_root:
            ent = pwd.getpwnam(self.os_user)
            os.chown(path, ent.pw_uid, ent.pw_gid)

    @contextlib.contextmanager
    def _lock(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- state -------------------------------------------------------------------------------
    def _read_state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text())
        except FileNotFoundError:
            return {}

    def _write_state(self, state: dict) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(state, fh)
        os.replace(tmp, self.state_file)

    @property
    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists() and self.state_file.exists()

    def _check_os_user(self) -> None:
        if not self.as_root:
            return
        try:
            pwd.getpwnam(self.os_user)
        except KeyError:
            raise ServerError(
                f"running as root, and Postgres refuses to run as root; dwhkit runs the embedded "
                f"server as the system user {self.os_user!r}, which does not exist. Create it "
                f"(e.g. `useradd --system --home /var/lib/postgresql {self.os_user}`) or set "
                f"DWH_EMBEDDED_OS_USER to an unprivileged user.") from None

    # -- lifecycle ---------------------------------------------------------------------------
    def init(self) -> None:
        """initdb a new cluster with a random superuser password (stored 0600 in state.json)."""
        self._check_os_user()
        bindir = find_bindir()
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        for d in (self.data_dir, self.log_dir):
            if d.exists() and d == self.data_dir:
                shutil.rmtree(d)
            d.mkdir(exist_ok=True)
            self._chown_to_server_user(d)
        os.chmod(self.data_dir, 0o700)
        password = secrets.token_urlsafe(24)
        pwfile = self.log_dir / ".pwfile"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")
        self._chown_to_server_user(pwfile)
        try:
            self._run([str(bindir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                       "--pwfile", str(pwfile), "--auth=scram-sha-256", "-E", "UTF8",
                       "--locale=C.UTF-8", "--no-instructions"])
        finally:
            pwfile.unlink(missing_ok=True)
        conf = self.data_dir / "postgresql.conf"
        with open(conf, "a") as fh:
            fh.write("\n# dwhkit embedded settings\n")
            for k, v in SERVER_SETTINGS.items():
                fh.write(f"{k} = {v}\n")
        self._write_state({"port": self.requested_port or _free_port(), "password": password,
                           "bindir": str(bindir)})

    def _pg_ctl(self) -> str:
        state = self._read_state()
        bindir = Path(state.get("bindir", "")) if state.get("bindir") else None
        if not bindir or not (bindir / "pg_ctl").exists():
            bindir = find_bindir()
        return str(bindir / "pg_ctl")

    def running(self) -> bool:
        if not self.initialised:
            return False
        proc = self._run([self._pg_ctl(), "status", "-D", str(self.data_dir)], check=False)
        return proc.returncode == 0

    def start(self) -> ServerInfo:
        """Initialise if needed and start if not running; safe to call from several processes."""
        with self._lock():
            if not self.initialised:
                self.init()
            state = self._read_state()
            if not self.running():
                port = state["port"]
                if self.requested_port:
                    port = self.requested_port
                if _port_in_use(port):
                    port = _free_port()
                state["port"] = port
                self._write_state(state)
                self._run([self._pg_ctl(), "start", "-D", str(self.data_dir), "-l", str(self.log_file),
                           "-w", "-t", "60", "-o", f"-p {port}"])
            info = self.info()
            self._ensure_database(info)
            return info

    def info(self) -> ServerInfo:
        state = self._read_state()
        if not state:
            raise ServerError(f"no embedded server initialised under {self.root}")
        return ServerInfo("127.0.0.1", int(state["port"]), SUPERUSER, state["password"], DEFAULT_DATABASE)

    def _ensure_database(self, info: ServerInfo) -> None:
        import psycopg2

        deadline = time.monotonic() + 30
        while True:
            try:
                conn = psycopg2.connect(**info.dsn("postgres"), connect_timeout=5)
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise ServerError(f"embedded server did not accept connections (log: {self.log_file})") from None
                time.sleep(0.2)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (info.dbname,))
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{info.dbname}"')
        finally:
            conn.close()

    def stop(self) -> bool:
        """Stop the server; True if it was running."""
        if not self.running():
            return False
        self._run([self._pg_ctl(), "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60"])
        return True

    def destroy(self) -> None:
        """Stop and delete the cluster (tests use this for throwaway servers)."""
        with contextlib.suppress(ServerError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def status(self) -> dict:
        state = self._read_state()
        return {"root": str(self.root), "initialised": self.initialised, "running": self.running(),
                "port": state.get("port"), "log": str(self.log_file)}
