"""A Postgres server that dwhkit initialises, starts on demand and keeps between runs.

Why: a laptop, a test run or CI should run the warehouse with no setup and no cloud account.
Postgres refuses to run as root, so when we are root the server runs as an unprivileged
system user (``postgres`` by default, ``DWH_EMBEDDED_OS_USER`` to change it).

Security (the machine may be shared by several users; root in containers and CI):

* Two roles. ``dwh_admin`` is the cluster's superuser; only this module logs in as it, to create
  the user role and the warehouse database and to upgrade old clusters. Every session dwhkit hands
  out (``dwhkit.connect()``, the ETL, ``dwh db url``) logs in as ``dwh``: NOSUPERUSER NOCREATEROLE,
  member of no predefined role, owner of the warehouse database and everything in it. So SQL run
  through dwhkit cannot read or write server files or run programs (``COPY … FROM PROGRAM``,
  ``pg_read_file``, ``pg_ls_dir``) as the server's OS user.
* The server (initdb, pg_ctl, postgres) starts with a minimal environment: whatever secrets the
  starting process holds (DWH_CLUSTER_DB_PASSWORD, AWS_*) never reach ``/proc/<pid>/environ``.
* Nothing dwhkit did not create is trusted. When root must keep the cluster outside a private
  project folder, it goes to a fresh, unpredictable ``/var/tmp/dwhkit-XXXXXXXX`` (mkdtemp: root
  owned, 0711) whose path is recorded in the project's own state; files are opened with
  O_NOFOLLOW (and O_EXCL when created) and a folder or file with the wrong owner, mode or type is
  refused with a message saying what is wrong.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import hashlib
import json
import logging
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..errors import ServerError
from ..private_files import (check_private_dir as _check_private_dir, ensure_own_dir as _ensure_own_dir,
                             read_private as _read_private, write_private as _write_private)

log = logging.getLogger(__name__)

ADMIN_ROLE = "dwh_admin"   # the cluster's superuser: dwhkit's own admin connection only
USER_ROLE = "dwh"          # every session dwhkit hands out; round one's clusters used it as superuser
DEFAULT_DATABASE = "dwh"
ROLES_VERSION = 2          # state.json "roles": 2 = the two-role layout above is in place
RELOCATION_PARENT = Path("/var/tmp")
LOW_SPACE_BYTES = 1 << 20  # below this, a failed start is reported as "disk full"
SERVER_PATH = "/usr/local/bin:/usr/bin:/bin"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
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
    "extra_float_digits": "0",  # sessions of `dwh serve` and psql print floats as Redshift does
    "jit": "off",               # Redshift has no JIT; here it cost 1-3 s per heavy statement
    "max_connections": "100",
    "logging_collector": "off",
    # Redshift reclaims deleted rows and refreshes statistics in the background on its own
    # (automatic analyze: https://docs.aws.amazon.com/redshift/latest/dg/t_Analyzing_tables.html;
    # automatic vacuum delete:
    # https://docs.aws.amazon.com/redshift/latest/dg/t_Reclaiming_storage_space202.html); Postgres's
    # autovacuum does both, looking every second here instead of every minute. An ETL that
    # empties and reloads its tables (DELETE, then COPY or INSERT) otherwise reads the dead rows
    # of every earlier run until the next look: the Criteo sample's third run took 11.6 s
    # against the first run's 8.5 s.
    "autovacuum_naptime": "1",
}


# How long a starting (or frozen) server is given to accept dwhkit's admin login.
ACCEPT_WAIT = 30.0


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


# -- files nobody else planted ----------------------------------------------------------------
def _read_tail(path: Path, size: int = 16384) -> str:
    """The end of a log file (empty if unreadable); never follows a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as fh:
        end = fh.seek(0, os.SEEK_END)
        fh.seek(max(0, end - size))
        return fh.read().decode("utf-8", "replace")


def _human(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


# Ownership of a round-one cluster's objects moves from the superuser to the user role. REASSIGN
# OWNED cannot be used: the superuser there is the bootstrap role, which owns the system catalogs.
_REASSIGN = """
DO $reassign$
DECLARE
    r record;
    admin oid := current_user::regrole::oid;
    usr text := %(user)s;
BEGIN
    FOR r IN SELECT n.nspname FROM pg_namespace n
             WHERE n.nspowner = admin AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' LOOP
        EXECUTE format('ALTER SCHEMA %%I OWNER TO %%I', r.nspname, usr);
    END LOOP;
    FOR r IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relowner = admin AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
               AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')
               AND NOT (c.relkind = 'S' AND EXISTS (
                   SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))) LOOP
        EXECUTE format('ALTER %%s %%s OWNER TO %%I',
                       CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                      WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
                       r.rel, usr);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS fn, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE p.proowner = admin AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' LOOP
        EXECUTE format('ALTER %%s %%s OWNER TO %%I',
                       CASE r.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, r.fn, usr);
    END LOOP;
    FOR r IN SELECT t.oid::regtype AS typ, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE t.typowner = admin AND t.typtype IN ('e', 'd', 'r')
               AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' LOOP
        EXECUTE format('ALTER %%s %%s OWNER TO %%I', CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.typ, usr);
    END LOOP;
END
$reassign$
"""


class EmbeddedServer:
    """One Postgres cluster under ``root`` (``<root>/data``, ``<root>/log``, ``<root>/state.json``).

    ``root`` is the configured folder, except when we are root and the server user cannot reach
    it: then it is a private folder under /var/tmp whose path ``<configured>/relocated-to`` records."""

    def __init__(self, root: str | os.PathLike, port: int = 0, os_user: str | None = None):
        self.requested_root = Path(root).expanduser().resolve()
        self.requested_port = port
        self.os_user = os_user or os.environ.get("DWH_EMBEDDED_OS_USER") or "postgres"
        self._root: Path | None = None
        self._relocates = self._needs_relocation(self.requested_root)

    # -- layout ------------------------------------------------------------------------------
    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    def _needs_relocation(self, root: Path) -> bool:
        """As root, the server user must be able to reach the data folder; under a private folder
        (e.g. /root) the cluster is kept in /var/tmp instead."""
        if not self.as_root:
            return False
        probe = root
        while not probe.exists():
            probe = probe.parent
        return not _traversable_by_others(probe)

    @property
    def pointer_file(self) -> Path:
        """Where a relocated cluster is recorded: inside the project's own (private) folder."""
        return self.requested_root / "relocated-to"

    @property
    def legacy_root(self) -> Path:
        """Round one's predictable relocation folder, adopted only if it passes every check."""
        return RELOCATION_PARENT / f"dwhkit-{hashlib.sha1(str(self.requested_root).encode()).hexdigest()[:12]}"

    @property
    def root(self) -> Path:
        """The cluster's folder; before a relocated cluster exists, the configured one."""
        return self._locate() or self.requested_root

    def _locate(self) -> Path | None:
        if self._root is not None:
            return self._root
        if not self._relocates:
            self._root = self.requested_root
            return self._root
        if not self.requested_root.exists():
            return None
        text = _read_private(self.pointer_file)
        if text is None:
            return None
        path = Path(text.strip())
        if path.parent != RELOCATION_PARENT or not path.name.startswith("dwhkit-"):
            raise ServerError(f"refusing {self.pointer_file}: it names {path}, not a dwhkit folder under "
                              f"{RELOCATION_PARENT}. Remove it to start a new cluster.")
        if not os.path.lexists(path):
            return None  # cleaned up (tmpfiles, reboot): a new one is created on start
        _check_private_dir(path, "the embedded cluster's folder")
        self._root = path
        return path

    def _prepare_root(self) -> Path:
        """The cluster folder, created if needed (called with the lock held)."""
        if not self._relocates:
            _ensure_own_dir(self.requested_root, 0o711 if self.as_root else 0o700, "the embedded cluster's folder")
            self._root = self.requested_root
            return self._root
        found = self._locate()
        if found is not None:
            return found
        if text := _read_private(self.pointer_file):
            log.warning("the embedded cluster recorded in %s (%s) is gone; creating a new one",
                        self.pointer_file, text.strip())
        root = self._adopt_legacy() or self._create_relocated()
        _write_private(self.pointer_file, f"{root}\n")
        self._root = root
        log.info("the project folder is not reachable by the %r user: the embedded cluster lives in %s",
                 self.os_user, root)
        return root

    def _create_relocated(self) -> Path:
        """A fresh folder with an unpredictable name (mkdtemp: created, never reused), root's, 0711:
        the server user traverses into its data folder; nobody else lists or writes it."""
        st = os.lstat(RELOCATION_PARENT)
        if not stat.S_ISDIR(st.st_mode) or (st.st_mode & 0o002 and not st.st_mode & stat.S_ISVTX) or st.st_uid != 0:
            raise ServerError(f"refusing to keep the embedded cluster in {RELOCATION_PARENT}: it is not a root-owned "
                              "directory with the sticky bit. Put the project folder where the "
                              f"{self.os_user!r} user can reach it, or set [EMBEDDED] data_dir to such a folder.")
        path = Path(tempfile.mkdtemp(prefix="dwhkit-", dir=RELOCATION_PARENT))
        os.chmod(path, 0o711)
        return path

    def _adopt_legacy(self) -> Path | None:
        """Round one kept the cluster in /var/tmp/dwhkit-<hash>, a name anyone can predict. Keep
        using it only if root made it (ours, not group/other-writable, holding our private state);
        anything else is ignored, never opened."""
        legacy = self.legacy_root
        if not os.path.lexists(legacy):
            return None
        try:
            _check_private_dir(legacy, "round one's cluster folder")
            if _read_private(legacy / "state.json") is None:
                raise ServerError("it holds no state.json")
        except ServerError as exc:
            log.warning("ignoring %s, which dwhkit did not create (%s); the cluster goes to a new private folder",
                        legacy, exc)
            return None
        os.chmod(legacy, 0o711)
        return legacy

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

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "postmaster.pid"

    # -- process helpers ---------------------------------------------------------------------
    def _server_env(self, bindir: Path | None = None) -> dict:
        """Only what Postgres needs: the server's /proc/<pid>/environ is readable by its OS user,
        so the secrets in ours (DWH_CLUSTER_DB_PASSWORD, AWS_*) must not be copied there."""
        path = SERVER_PATH if bindir is None else f"{bindir}:{SERVER_PATH}"
        return {"PATH": path, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"}

    def _run(self, args: list[str], check: bool = True, timeout: float = 120,
             what: str | None = None) -> subprocess.CompletedProcess:
        kwargs: dict = {"capture_output": True, "text": True, "timeout": timeout, "cwd": "/",
                        "env": self._server_env(Path(args[0]).parent)}
        if self.as_root:
            kwargs["user"] = self.os_user
            kwargs["group"] = pwd.getpwnam(self.os_user).pw_gid
            kwargs["extra_groups"] = []
        proc = subprocess.run(args, **kwargs)
        if check and proc.returncode != 0:
            raise self._failure(what or Path(args[0]).name, proc)
        return proc

    def _free_bytes(self) -> int | None:
        for p in (self.data_dir, self.root):
            with contextlib.suppress(OSError):
                st = os.statvfs(p)
                return st.f_bavail * st.f_frsize
        return None

    def _failure(self, what: str, proc: subprocess.CompletedProcess) -> ServerError:
        """Say why, from the tool's output and the server log, not "Examine the log output"."""
        output = "\n".join(line for line in (proc.stderr + "\n" + proc.stdout).splitlines()
                           if line.strip() and "Examine the log output" not in line)
        tail = _read_tail(self.log_file).splitlines()
        important = [line for line in tail if any(k in line for k in ("FATAL", "PANIC", "ERROR", "No space left"))]
        shown = "\n".join(f"  {line}" for line in ([output] if output else []) + (important or tail[-5:])[-8:])
        free = self._free_bytes()
        if "No space left on device" in output + "\n".join(tail) or (free is not None and free < LOW_SPACE_BYTES):
            space = f" ({_human(free)} free)" if free is not None else ""
            return ServerError(f"disk full: {what} failed: the file system holding {self.root} has no space "
                               f"left{space}. Free some space there (or point [EMBEDDED] data_dir at a bigger "
                               f"disk) and run the command again.\n{shown}\n(server log: {self.log_file})")
        return ServerError(f"{what} failed (exit {proc.returncode}):\n{shown}\n(server log: {self.log_file})")

    def _chown_to_server_user(self, path: Path) -> None:
        if self.as_root:
            ent = pwd.getpwnam(self.os_user)
            os.chown(path, ent.pw_uid, ent.pw_gid, follow_symlinks=False)

    @contextlib.contextmanager
    def _lock(self):
        """One process at a time initialises, starts, upgrades (the lock is in the project's folder)."""
        _ensure_own_dir(self.requested_root, 0o711 if self.as_root and not self._relocates else 0o700,
                        "the embedded cluster's folder")
        fd = os.open(self.requested_root / ".lock", os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600)
        with os.fdopen(fd, "r+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- state -------------------------------------------------------------------------------
    def _read_state(self) -> dict:
        if self._locate() is None:
            return {}
        text = _read_private(self.state_file)
        return json.loads(text) if text else {}

    def _write_state(self, state: dict) -> None:
        _write_private(self.state_file, json.dumps(state))

    @property
    def initialised(self) -> bool:
        if self._locate() is None:
            return False
        return (self.data_dir / "PG_VERSION").exists() and os.path.lexists(self.state_file)

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
        """initdb a new cluster: a random superuser (admin) password and a random password for the
        user role, both kept 0600 in state.json. The user role is created on first start."""
        self._check_os_user()
        bindir = find_bindir()
        self._prepare_root()
        for d in (self.data_dir, self.log_dir):
            if os.path.lexists(d) and (d == self.data_dir or os.path.islink(d)):
                if os.path.islink(d):
                    os.unlink(d)
                else:
                    shutil.rmtree(d)
            d.mkdir(mode=0o700, exist_ok=True)
            self._chown_to_server_user(d)
        os.chmod(self.data_dir, 0o700)
        admin_password = secrets.token_urlsafe(24)
        pwfile = self.log_dir / f".pwfile-{secrets.token_hex(6)}"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(admin_password + "\n")
        self._chown_to_server_user(pwfile)
        try:
            self._run([str(bindir / "initdb"), "-D", str(self.data_dir), "-U", ADMIN_ROLE,
                       "--pwfile", str(pwfile), "--auth=scram-sha-256", "-E", "UTF8",
                       "--locale=C.UTF-8", "--no-instructions"], what="initdb")
        finally:
            pwfile.unlink(missing_ok=True)
        conf = self.data_dir / "postgresql.conf"
        fd = os.open(conf, os.O_WRONLY | os.O_APPEND | _NOFOLLOW)
        with os.fdopen(fd, "a") as fh:
            fh.write("\n# dwhkit embedded settings\n")
            for k, v in SERVER_SETTINGS.items():
                fh.write(f"{k} = {v}\n")
        self._write_state({"port": self.requested_port or _free_port(), "admin_password": admin_password,
                           "password": secrets.token_urlsafe(24), "roles": 0, "bindir": str(bindir)})

    def _pg_ctl(self) -> str:
        state = self._read_state()
        bindir = Path(state.get("bindir", "")) if state.get("bindir") else None
        if not bindir or not (bindir / "pg_ctl").exists():
            bindir = find_bindir()
        return str(bindir / "pg_ctl")

    # -- is it running? ----------------------------------------------------------------------
    def _pid_lines(self) -> list[str]:
        try:
            fd = os.open(self.pid_file, os.O_RDONLY | _NOFOLLOW)
        except OSError:
            return []
        with os.fdopen(fd) as fh:
            return fh.read().splitlines()

    def stale_pid_reason(self) -> str | None:
        """Why data/postmaster.pid provably belongs to no live server of this data folder (after a
        crash, a reboot or a killed container, its pid may now be any other process); None when
        there is no such file, or it may be genuine."""
        lines = self._pid_lines()
        if not lines:
            return None
        try:
            pid = int(lines[0])
        except ValueError:
            return f"its first line is not a process id ({lines[0][:40]!r})"
        if pid <= 0:
            return f"it names process {pid}"
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return f"process {pid} no longer exists"
        except PermissionError:
            pass
        if not os.path.exists("/proc/self/cmdline"):
            return None  # cannot tell without /proc: trust pg_ctl
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (FileNotFoundError, ProcessLookupError):
            return f"process {pid} no longer exists"
        except OSError:
            return None
        name = os.path.basename(argv[0].decode("utf-8", "replace")) if argv and argv[0] else ""
        if name != "postgres":
            return f"process {pid} is {name or 'a defunct process'!r}, not a postgres server"
        if b"-D" in argv[:-1]:
            data = Path(os.fsdecode(argv[argv.index(b"-D") + 1]))
            if data.resolve() != self.data_dir.resolve():
                return f"process {pid} is the postgres server of another data folder ({data})"
        return None

    def _postmaster(self) -> tuple[int, int | None] | None:
        """(pid, port) of this cluster's live server, from postmaster.pid, or None."""
        lines = self._pid_lines()
        if not lines or self.stale_pid_reason() is not None:
            return None
        if not os.path.exists("/proc/self/cmdline"):
            proc = self._run([self._pg_ctl(), "status", "-D", str(self.data_dir)], check=False)
            if proc.returncode != 0:
                return None
        port = int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None
        return int(lines[0]), port

    def running(self) -> bool:
        return self.initialised and self._postmaster() is not None

    def _processes_using_data_dir(self) -> list[int]:
        """Live processes whose working folder is the data folder (a server's backends chdir there)."""
        data, found = str(self.data_dir.resolve()), []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{entry.name}/cwd") == data:
                        found.append(int(entry.name))
        return found

    def _clear_stale_pid_file(self) -> None:
        """A postmaster.pid naming a dead process is Postgres's own business (it checks its shared
        memory and recovers). One naming a live process that is not this cluster's server makes
        pg_ctl and Postgres believe the server runs: remove it, once no process uses the folder."""
        reason = self.stale_pid_reason()
        if reason is None:
            return
        if "no longer exists" in reason:
            log.warning("%s is stale (%s); Postgres clears it on start", self.pid_file, reason)
            return
        users = self._processes_using_data_dir()
        if users:
            raise ServerError(f"{self.pid_file} is stale ({reason}), but processes {users} still use "
                              f"{self.data_dir}; stop them, then run `dwh db start` again")
        self.pid_file.unlink(missing_ok=True)
        log.warning("removed the stale %s (%s); starting the server", self.pid_file, reason)

    def start(self) -> ServerInfo:
        """Initialise if needed, start if not running, install the roles; safe from several processes.
        Returns the user role's connection info (never the superuser's)."""
        try:
            return self._start()
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            free = self._free_bytes()
            raise ServerError(f"disk full: starting the embedded server failed: the file system holding "
                              f"{self.root} has no space left" + (f" ({_human(free)} free)" if free is not None else "")
                              + f" ({exc.strerror}: {exc.filename}). Free some space there (or point [EMBEDDED] "
                              "data_dir at a bigger disk) and run the command again.") from None

    def _start(self) -> ServerInfo:
        with self._lock():
            self._prepare_root()
            if not self.initialised:
                self.init()
            state = self._read_state()
            if "admin_password" not in state:  # round one: one superuser, named like the user role
                state.update(admin_password=state["password"], password=secrets.token_urlsafe(24), roles=0)
                self._write_state(state)
            self._clear_stale_pid_file()
            live = self._postmaster()
            if live is None:
                port = self.requested_port or state["port"]
                if _port_in_use(port):
                    port = _free_port()
                if port != state["port"]:
                    state["port"] = port
                    self._write_state(state)
                self._run([self._pg_ctl(), "start", "-D", str(self.data_dir), "-l", str(self.log_file),
                           "-w", "-t", "60", "-o", f"-p {port}"], what="starting the embedded server")
            elif live[1] and live[1] != state["port"]:  # started by hand on another port
                state["port"] = live[1]
                self._write_state(state)
            self._install_roles(state)
            return self.info()

    def info(self) -> ServerInfo:
        """The user role's connection info."""
        state = self._read_state()
        if not state:
            raise ServerError(f"no embedded server initialised under {self.root}")
        if state.get("roles") != ROLES_VERSION:
            raise ServerError(f"the embedded server under {self.root} is not set up yet: run `dwh db start`")
        return ServerInfo("127.0.0.1", int(state["port"]), USER_ROLE, state["password"], DEFAULT_DATABASE)

    def _admin_info(self, state: dict, user: str = ADMIN_ROLE) -> ServerInfo:
        return ServerInfo("127.0.0.1", int(state["port"]), user, state["admin_password"], DEFAULT_DATABASE)

    # -- roles -------------------------------------------------------------------------------
    def _connect_admin(self, state: dict, dbname: str = "postgres"):
        """dwhkit's own superuser connection; waits for a server that is starting up."""
        import psycopg2

        users = [ADMIN_ROLE] if state.get("roles") == ROLES_VERSION else [ADMIN_ROLE, USER_ROLE]
        deadline = time.monotonic() + ACCEPT_WAIT
        while True:
            refused = None
            for user in users:
                # libpq's connect_timeout: whole seconds, at least 2; never past the deadline by more
                wait = max(2, min(5, round(deadline - time.monotonic())))
                try:
                    conn = psycopg2.connect(**self._admin_info(state, user).dsn(dbname), connect_timeout=wait,
                                            application_name="dwhkit admin")
                    conn.autocommit = True
                    return conn
                except psycopg2.OperationalError as exc:
                    refused = str(exc).replace(state["admin_password"], "***").strip()
                    if "authentication failed" not in refused:
                        break  # not up yet: wait; a wrong password for this name: try the next
            else:
                raise ServerError(f"the embedded server refused dwhkit's admin login ({refused}); "
                                  f"state.json under {self.root} does not match the cluster")
            if time.monotonic() > deadline:
                raise self._not_accepting(state, refused)
            time.sleep(0.2)

    def _not_accepting(self, state: dict, detail: str | None) -> ServerError:
        live = self._postmaster()
        tail = [line for line in _read_tail(self.log_file).splitlines() if line.strip()][-5:]
        shown = "\n".join(f"  {line}" for line in tail)
        who = f"pid {live[0]}" if live else "no live server process"
        return ServerError(
            f"the embedded server ({who}, data {self.data_dir}) did not accept connections on "
            f"127.0.0.1:{state['port']} within {ACCEPT_WAIT:g} s ({(detail or '').splitlines()[0] if detail else 'no answer'}).\n"
            f"{shown}\nTo recover: `dwh db stop`" + (f" (or kill {live[0]})" if live else "") +
            f", then `dwh db start`. (server log: {self.log_file})")

    def _install_roles(self, state: dict) -> None:
        """As the superuser: the user role (no superuser, no role creation, member of no predefined
        role), the warehouse database it owns, and, for a round-one cluster, the rename of its
        superuser and the move of every object it owned to the user role."""
        conn = self._connect_admin(state)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT current_user")
                if cur.fetchone()[0] == USER_ROLE:
                    conn.close()
                    conn = self._rename_legacy_superuser(state)
            with conn.cursor() as cur:
                cur.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'dwhkit\\_upgrade\\_%'")
                for (leftover,) in cur.fetchall():  # from an upgrade that was interrupted
                    cur.execute(f'DROP ROLE "{leftover}"')
                cur.execute("SELECT rolsuper OR rolcreaterole OR rolreplication OR rolbypassrls OR NOT rolcanlogin "
                            "FROM pg_roles WHERE rolname = %s", (USER_ROLE,))
                row = cur.fetchone()
                attrs = "LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS CREATEDB INHERIT"
                if row is None:
                    cur.execute(f'CREATE ROLE "{USER_ROLE}" {attrs} PASSWORD %s', (state["password"],))
                elif row[0] or state.get("roles") != ROLES_VERSION:
                    cur.execute(f'ALTER ROLE "{USER_ROLE}" {attrs} PASSWORD %s', (state["password"],))
                cur.execute("SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
                            "WHERE m.member = %s::regrole", (USER_ROLE,))
                for (granted,) in cur.fetchall():  # pg_read_server_files & co. give file access back
                    cur.execute(f'REVOKE "{granted}" FROM "{USER_ROLE}"')
                cur.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (DEFAULT_DATABASE,))
                row = cur.fetchone()
                if row is None:
                    cur.execute(f'CREATE DATABASE "{DEFAULT_DATABASE}" OWNER "{USER_ROLE}"')
                elif row[0] != USER_ROLE:
                    cur.execute(f'ALTER DATABASE "{DEFAULT_DATABASE}" OWNER TO "{USER_ROLE}"')
                if state.get("roles") != ROLES_VERSION:
                    cur.execute("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate "
                                "AND datname <> 'postgres' AND datdba = %s::regrole", (ADMIN_ROLE,))
                    for (db,) in cur.fetchall():
                        cur.execute(f'ALTER DATABASE "{db}" OWNER TO "{USER_ROLE}"')
                    cur.execute("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate "
                                "AND datname <> 'postgres'")
                    for (db,) in cur.fetchall():
                        side = self._connect_admin(state, db)
                        try:
                            with side.cursor() as scur:
                                scur.execute(_REASSIGN, {"user": USER_ROLE})
                        finally:
                            side.close()
                    state["roles"] = ROLES_VERSION
                    self._write_state(state)
        finally:
            conn.close()

    def _rename_legacy_superuser(self, state: dict):
        """Round one's superuser is named ``dwh``, the user role's name. A session cannot rename its
        own role, so a one-off superuser renames it to ``dwh_admin`` (the bootstrap superuser cannot
        lose SUPERUSER, so renaming is the way); then it is dropped."""
        import psycopg2

        temp, temp_password = f"dwhkit_upgrade_{secrets.token_hex(4)}", secrets.token_urlsafe(24)
        conn = psycopg2.connect(**self._admin_info(state, USER_ROLE).dsn("postgres"))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(f'CREATE ROLE "{temp}" SUPERUSER LOGIN PASSWORD %s', (temp_password,))
        finally:
            conn.close()
        conn = psycopg2.connect(**ServerInfo("127.0.0.1", int(state["port"]), temp, temp_password,
                                             DEFAULT_DATABASE).dsn("postgres"))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(f'ALTER ROLE "{USER_ROLE}" RENAME TO "{ADMIN_ROLE}"')
                cur.execute(f'ALTER ROLE "{ADMIN_ROLE}" PASSWORD %s', (state["admin_password"],))
        finally:
            conn.close()
        log.info("upgraded the embedded cluster: its superuser is now %r; sessions log in as %r", ADMIN_ROLE, USER_ROLE)
        conn = self._connect_admin({**state, "roles": ROLES_VERSION})
        with conn.cursor() as cur:
            cur.execute(f'DROP ROLE "{temp}"')
        return conn

    def stop(self) -> bool:
        """Stop the server; True if it was running."""
        if not self.running():
            return False
        self._run([self._pg_ctl(), "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60"],
                  what="stopping the embedded server")
        return True

    def destroy(self) -> None:
        """Stop and delete the cluster (tests use this for throwaway servers)."""
        with contextlib.suppress(ServerError):
            self.stop()
        root = self._locate()
        if root is not None and root != self.requested_root:
            shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(self.requested_root, ignore_errors=True)

    def status(self) -> dict:
        state = self._read_state()
        return {"root": str(self.root), "initialised": self.initialised, "running": self.running(),
                "port": state.get("port"), "log": str(self.log_file), "stale_pid": self.stale_pid_reason()}
