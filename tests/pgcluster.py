"""A plain PostgreSQL cluster for the cross-target suite, started with the server's own tools.

Why not EmbeddedServer: the "postgres" target must be tested against a server dwhkit did not
set up — no dwhkit roles, no dwhkit settings — as a user's existing Postgres would be. It logs
in with a password over TCP as an ordinary (non-superuser) role that owns its database."""
from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL server binaries (initdb) are missing")
    return Path(initdb).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PlainCluster:
    root: Path
    port: int
    user: str = "conformance"
    dbname: str = "conformance"
    password: str = ""

    def _run(self, *args: str) -> None:
        kwargs: dict = {"check": True, "capture_output": True, "cwd": "/",
                        "env": {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC"}}
        if os.geteuid() == 0:               # Postgres refuses to run as root
            pw = pwd.getpwnam("postgres")
            kwargs.update(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])
        subprocess.run([str(_bindir() / args[0]), *args[1:]], **kwargs)

    def start(self) -> "PlainCluster":
        data = self.root / "data"
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.password = secrets.token_urlsafe(16)
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        self._run("initdb", "-D", str(data), "-U", "admin", "--pwfile", str(pwfile), "-A", "scram-sha-256",
                  "-E", "UTF8", "--locale", "C.UTF-8")
        pwfile.unlink()
        self._run("pg_ctl", "start", "-w", "-D", str(data), "-l", str(self.root / "server.log"), "-o",
                  f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                  "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        import psycopg2

        admin = psycopg2.connect(host="127.0.0.1", port=self.port, dbname="postgres", user="admin",
                                 password=self.password)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f"CREATE ROLE {self.user} LOGIN PASSWORD %s", (self.password,))
            cur.execute(f"CREATE DATABASE {self.dbname} OWNER {self.user}")
        admin.close()
        return self

    def stop(self) -> None:
        for _ in range(3):
            try:
                self._run("pg_ctl", "stop", "-D", str(self.root / "data"), "-m", "immediate")
                return
            except subprocess.CalledProcessError:
                time.sleep(0.5)


def start_plain_cluster() -> PlainCluster:
    root = Path(tempfile.mkdtemp(prefix="dwhkit-plain-pg-", dir="/tmp"))
    os.chmod(root, 0o755)
    return PlainCluster(root=root / "pg", port=_free_port()).start()
