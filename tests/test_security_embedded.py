"""The embedded server on a shared machine: what another local user, or SQL run through dwhkit,
can reach. Real servers, real processes, real files; root-only attacks are skipped otherwise."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest

import dwhkit
from dwhkit.config import Config
from dwhkit.errors import ServerError
from dwhkit.targets import embedded
from dwhkit.targets.embedded import EmbeddedServer

from .conftest import ROOT

AS_ROOT = os.geteuid() == 0
root_only = pytest.mark.skipif(not AS_ROOT, reason="the attack needs a second OS user; run as root (as CI does)")
PLANTED = {"DWH_CLUSTER_DB_PASSWORD": "planted-db-Secret-9431", "AWS_SECRET_ACCESS_KEY": "planted-aws-Secret-1177"}


def _shared_dir(prefix: str) -> Path:
    """A folder the server's OS user can reach (no relocation)."""
    d = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    d.chmod(0o755)
    return d


def _config(project: Path, data_dir: Path | str = ".dwhkit/pg") -> Config:
    cfg = project / "dwh.cfg"
    cfg.write_text((ROOT / "dwh.cfg").read_text())
    return Config(path=cfg, target_type="embedded", embedded_data_dir=Path(data_dir))


def dwh(*args, cwd, env=None, check=True, user=None):
    kwargs = {}
    if user is not None:
        ent = pwd.getpwnam(user)
        kwargs = {"user": ent.pw_uid, "group": ent.pw_gid, "extra_groups": []}
    proc = subprocess.run([sys.executable, "-m", "dwhkit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"dwh {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def _postmaster_pid(server: EmbeddedServer) -> int:
    return int((server.data_dir / "postmaster.pid").read_text().split()[0])


@pytest.fixture(scope="module")
def warehouse():
    """One embedded server (in a folder the server user can reach) and a Config pointing at it."""
    project = _shared_dir("dwhkit-sec-")
    config = _config(project, project / "pg")
    server = EmbeddedServer(project / "pg")
    server.start()
    yield server, config
    server.destroy()
    shutil.rmtree(project, ignore_errors=True)


# -- 4. sessions are not the superuser; the server's environment holds no secret -------------------
def test_sessions_cannot_reach_server_files_or_programs(warehouse):
    server, config = warehouse
    conn = dwhkit.connect(config)
    cur = conn.cursor()
    cur.execute("SELECT current_user, current_setting('is_superuser')")
    assert cur.fetchone() == ("dwh", "off")
    cur.execute("SELECT r.rolsuper, r.rolcreaterole, r.rolreplication, r.rolbypassrls, "
                "pg_has_role(current_user, 'pg_read_server_files', 'MEMBER'), "
                "pg_has_role(current_user, 'pg_write_server_files', 'MEMBER'), "
                "pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER') "
                "FROM pg_roles r WHERE r.rolname = current_user")
    assert cur.fetchone() == (False,) * 7
    conn.commit()
    for sql in ("SELECT pg_read_file('/etc/passwd')", "SELECT pg_ls_dir('.')",
                "SELECT pg_read_binary_file('postmaster.pid')"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(sql)
        conn.rollback()
    # dwhkit's own COPY grammar refuses FROM PROGRAM; the raw session refuses it too (the role).
    with pytest.raises(Exception):
        cur.execute("COPY t FROM PROGRAM 'id'")
    conn.rollback()
    raw = conn.raw.cursor()
    raw.execute("CREATE TEMP TABLE t (line text)")
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        raw.execute("COPY t FROM PROGRAM 'id'")
    conn.rollback()
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        raw.execute("COPY (SELECT 1) TO '/tmp/dwhkit-should-not-exist'")
    conn.rollback()
    conn.close()
    # the SQLAlchemy engine and `dwh db url` hand out the same role
    import sqlalchemy

    engine = dwhkit.create_engine(config)
    with engine.connect() as c:
        assert c.execute(sqlalchemy.text("SELECT current_setting('is_superuser')")).scalar() == "off"
    engine.dispose()


def test_server_environment_holds_no_secret_of_the_process_that_started_it(monkeypatch):
    for k, v in PLANTED.items():
        monkeypatch.setenv(k, v)
    project = _shared_dir("dwhkit-env-")
    server = EmbeddedServer(project / "pg")
    try:
        server.start()
        environ = Path(f"/proc/{_postmaster_pid(server)}/environ").read_bytes().decode()
        names = {kv.split("=", 1)[0] for kv in environ.split("\0") if kv}
        for secret in PLANTED.values():
            assert secret not in environ
        assert not {n for n in names if n.startswith(("AWS_", "DWH_"))}, names
    finally:
        server.destroy()
        shutil.rmtree(project, ignore_errors=True)


def test_cli_db_url_is_the_user_role_and_the_server_gets_no_secret(tmp_path):
    """What a user types: secrets in the environment of `dwh db start`, then psql "$(dwh db url)"."""
    project = _shared_dir("dwhkit-cli-")
    try:
        (project / "dwh.cfg").write_text((ROOT / "dwh.cfg").read_text())
        dwh("db", "start", cwd=project, env=PLANTED)
        url = dwh("db", "url", cwd=project).stdout.strip()
        assert url.startswith("postgresql://dwh:")
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT current_setting('is_superuser'), pg_backend_pid()")
            assert cur.fetchone()[0] == "off"
        server = EmbeddedServer(project / ".dwhkit" / "pg")
        environ = Path(f"/proc/{_postmaster_pid(server)}/environ").read_bytes().decode()
        assert not any(secret in environ for secret in PLANTED.values())
    finally:
        dwh("db", "stop", cwd=project, check=False)
        shutil.rmtree(project, ignore_errors=True)


def test_stedi_etl_runs_as_the_user_role(warehouse, s3, bucket):
    """create_tables, the ETL (advisory lock, COPY with its side connections, stl_load_errors), the
    system views and UNLOAD, all through the embedded target's user role; it owns everything."""
    from dwhkit import app

    server, config = warehouse
    app.create_tables(config)
    report = app.run_etl(config)
    assert report["passed"]
    conn = dwhkit.connect(config)
    cur = conn.cursor()
    cur.execute("SELECT current_setting('is_superuser')")
    assert cur.fetchone() == ("off",)
    cur.execute("SELECT count(*) FROM svv_table_info")
    assert cur.fetchone()[0] > 0
    cur.execute("CREATE TABLE sec_probe (a INT, b VARCHAR(5))")
    cur.execute(f"UNLOAD ('SELECT 1 AS a, ''x'' AS b') TO 's3://{bucket}/probe/part_' IAM_ROLE default CSV")
    s3.put_object(Bucket=bucket, Key="bad/rows.csv", Body=b"1,ok\nnot-a-number,bad\n")
    cur.execute(f"COPY sec_probe FROM 's3://{bucket}/bad/' IAM_ROLE default CSV MAXERROR 5")
    cur.execute(f"COPY sec_probe FROM 's3://{bucket}/probe/' IAM_ROLE default CSV")
    cur.execute("SELECT count(*) FROM sec_probe")
    assert cur.fetchone() == (2,)
    cur.execute("SELECT count(*) FROM stl_load_errors WHERE filename LIKE %s", (f"%{bucket}/bad/%",))
    assert cur.fetchone() == (1,)
    conn.commit()
    cur.execute("SELECT n.nspname, c.relname, pg_get_userbyid(c.relowner) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname !~ '^pg_' "
                "AND n.nspname <> 'information_schema' AND pg_get_userbyid(c.relowner) <> 'dwh'")
    assert cur.fetchall() == []
    conn.close()


def _round_one_cluster(root: Path) -> tuple[int, str]:
    """A cluster exactly as round one left it: initdb'd with the superuser ``dwh``, whose password
    is state.json's "password"; warehouse objects owned by it; the server running."""
    bindir = embedded.find_bindir()
    root.mkdir()
    root.chmod(0o755)
    data, logdir = root / "data", root / "log"
    run_as = {}
    if AS_ROOT:
        ent = pwd.getpwnam("postgres")
        run_as = {"user": ent.pw_uid, "group": ent.pw_gid, "extra_groups": []}
    for d in (data, logdir):
        d.mkdir(mode=0o700)
        if AS_ROOT:
            os.chown(d, run_as["user"], run_as["group"])
    password = "round-one-pw-" + os.urandom(6).hex()
    pwfile = logdir / "pw"
    pwfile.write_text(password + "\n")
    if AS_ROOT:
        os.chown(pwfile, run_as["user"], run_as["group"])
    subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "dwh", "--pwfile", str(pwfile),
                    "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True,
                   cwd="/", **run_as)
    pwfile.unlink()
    with open(data / "postgresql.conf", "a") as fh:
        for k, v in embedded.SERVER_SETTINGS.items():
            fh.write(f"{k} = {v}\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    fd = os.open(root / "state.json", os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"port": port, "password": password, "bindir": str(bindir)}, fh)
    subprocess.run([str(bindir / "pg_ctl"), "start", "-D", str(data), "-l", str(logdir / "server.log"), "-w",
                    "-o", f"-p {port}"], check=True, capture_output=True, cwd="/", **run_as)
    dsn = {"host": "127.0.0.1", "port": port, "user": "dwh", "password": password}
    admin = psycopg2.connect(**dsn, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute('CREATE DATABASE "dwh"')
        cur.execute('CREATE DATABASE "other"')
    admin.close()
    from dwhkit.targets.pg_system_tables import ensure_system_tables
    from dwhkit.targets.system_views import ensure_system_views

    for db in ("dwh", "other"):
        conn = psycopg2.connect(**dsn, dbname=db)
        with conn.cursor() as cur:
            cur.execute("CREATE SCHEMA stedi; "
                        "CREATE TABLE stedi.t (id INT GENERATED BY DEFAULT AS IDENTITY, v TEXT); "
                        "CREATE TABLE public.p (id SERIAL PRIMARY KEY, v TEXT); "
                        "CREATE SEQUENCE stedi.loose; "
                        "CREATE VIEW stedi.tv AS SELECT * FROM stedi.t; "
                        "CREATE MATERIALIZED VIEW stedi.mv AS SELECT 1 AS one; "
                        "CREATE TYPE stedi.mood AS ENUM ('ok'); CREATE DOMAIN stedi.pos AS INT CHECK (VALUE > 0); "
                        "CREATE FUNCTION stedi.f() RETURNS INT LANGUAGE sql AS 'SELECT 42'; "
                        "CREATE AGGREGATE stedi.agg(int) (SFUNC = int4pl, STYPE = int); "
                        "INSERT INTO stedi.t (v) VALUES ('kept'); INSERT INTO public.p (v) VALUES ('kept')")
        ensure_system_tables(conn)
        ensure_system_views(conn)
        conn.commit()
        conn.close()
    return port, password


def test_round_one_cluster_is_upgraded_in_place():
    project = _shared_dir("dwhkit-r1-")
    root = project / "pg"
    try:
        _, old_password = _round_one_cluster(root)
        server = EmbeddedServer(root)
        info = server.start()
        assert info.user == "dwh" and info.password != old_password
        for db in ("dwh", "other"):
            conn = psycopg2.connect(**info.dsn(db))
            with conn.cursor() as cur:
                cur.execute("SELECT current_setting('is_superuser'), "
                            "pg_get_userbyid((SELECT datdba FROM pg_database WHERE datname = current_database()))")
                assert cur.fetchone() == ("off", "dwh")
                cur.execute("SELECT v FROM stedi.tv UNION ALL SELECT v FROM public.p")
                assert cur.fetchall() == [("kept",), ("kept",)]
                cur.execute("INSERT INTO stedi.t (v) VALUES ('new'); INSERT INTO public.p (v) VALUES ('new'); "
                            "SELECT nextval('stedi.loose'); REFRESH MATERIALIZED VIEW stedi.mv; "
                            "INSERT INTO dwhkit_system.stl_load_errors (err_code) VALUES (1); "
                            "ALTER TABLE stedi.t ADD COLUMN m stedi.mood; ALTER FUNCTION stedi.f() RENAME TO g; "
                            "DROP AGGREGATE stedi.agg(int); DROP DOMAIN stedi.pos; DROP VIEW dwhkit_system.pg_table_def")
                cur.execute("SELECT stedi.g(), count(*) FROM dwhkit_system.svv_table_info")
                assert cur.fetchone()[0] == 42
                cur.execute("DROP SCHEMA stedi CASCADE")
            conn.rollback()
            conn.close()
        state = json.loads((server.state_file).read_text())
        assert state["admin_password"] == old_password and state["roles"] == embedded.ROLES_VERSION
        admin = psycopg2.connect(host="127.0.0.1", port=info.port, user="dwh_admin", password=old_password,
                                 dbname="postgres")
        with admin.cursor() as cur:
            cur.execute("SELECT current_setting('is_superuser'), "
                        "(SELECT count(*) FROM pg_roles WHERE rolname LIKE 'dwhkit%%')")
            assert cur.fetchone() == ("on", 0)
        admin.close()
        assert server.start() == info  # a second start changes nothing
    finally:
        EmbeddedServer(root).destroy()
        shutil.rmtree(project, ignore_errors=True)


# -- 3. the relocated cluster under /var/tmp -------------------------------------------------------
@pytest.fixture
def private_project(tmp_path):
    """A project under a folder the server user cannot reach (so root relocates its cluster)."""
    project = tmp_path / "private" / "proj"
    project.mkdir(parents=True)
    (tmp_path / "private").chmod(0o700)
    (project / "dwh.cfg").write_text((ROOT / "dwh.cfg").read_text())
    yield project
    status = dwh("db", "status", cwd=project, check=False).stdout
    dwh("db", "stop", cwd=project, check=False)
    if "data: /var/tmp/dwhkit-" in status:
        shutil.rmtree(status.split("data: ")[1].split()[0], ignore_errors=True)


@root_only
def test_planted_predictable_var_tmp_folder_is_never_followed(private_project, tmp_path):
    requested = (private_project / ".dwhkit" / "pg").resolve()
    legacy = Path("/var/tmp") / f"dwhkit-{hashlib.sha1(str(requested).encode()).hexdigest()[:12]}"
    victim_dir = tmp_path / "victim"
    victim_dir.mkdir(mode=0o700)
    victim = victim_dir / "precious"
    victim.write_text("root's precious data\n")
    leak = Path(tempfile.mkdtemp(prefix="dwhkit-attacker-", dir="/tmp"))
    nobody = pwd.getpwnam("nobody")
    os.chown(leak, nobody.pw_uid, nobody.pw_gid)
    plant = (f"set -e; mkdir -m 0777 {legacy}; touch {leak}/loot; chmod 0666 {leak}/loot; "
             f"ln -s {victim} {legacy}/.lock; ln -s {leak}/loot {legacy}/state.tmp; "
             f"ln -s {leak}/loot {legacy}/state.json.tmp")
    try:
        subprocess.run(["su", "nobody", "-s", "/bin/sh", "-c", plant], check=True, capture_output=True)
        proc = dwh("db", "start", cwd=private_project)
        assert victim.read_text() == "root's precious data\n"
        assert (leak / "loot").read_text() == ""
        assert "ignoring " + str(legacy) in proc.stderr
        assert sorted(p.name for p in legacy.iterdir()) == [".lock", "state.json.tmp", "state.tmp"]
        where = Path(dwh("db", "status", cwd=private_project).stdout.split("data: ")[1].split()[0])
        assert where.parent == Path("/var/tmp") and where != legacy
        st = os.lstat(where)
        assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (0, 0o711)
        state_st = os.lstat(where / "state.json")
        assert (state_st.st_uid, stat.S_IMODE(state_st.st_mode)) == (0, 0o600)
        password = json.loads((where / "state.json").read_text())["password"]
        peek = subprocess.run(["su", "nobody", "-s", "/bin/sh", "-c",
                               f"ls {where}; cat {where}/state.json; grep -rs {password} {leak} /var/tmp"],
                              capture_output=True, text=True)
        assert password not in peek.stdout and "state.json" not in peek.stdout
        # the pointer lives in the project's own private state
        assert (requested / "relocated-to").read_text().strip() == str(where)
    finally:
        shutil.rmtree(legacy, ignore_errors=True)
        shutil.rmtree(leak, ignore_errors=True)


@root_only
def test_a_relocated_folder_someone_else_owns_is_refused(private_project):
    dwh("db", "start", cwd=private_project)
    dwh("db", "stop", cwd=private_project)
    server = EmbeddedServer(private_project / ".dwhkit" / "pg")
    where = server.root
    nobody = pwd.getpwnam("nobody")
    os.chown(where, nobody.pw_uid, nobody.pw_gid)
    try:
        failed = dwh("db", "start", cwd=private_project, check=False)
        assert failed.returncode == 2 and "refusing" in failed.stderr and "belongs to nobody" in failed.stderr
    finally:
        os.chown(where, 0, 0)
    pointer = server.pointer_file
    pointer.write_text("/etc\n")
    failed = dwh("db", "start", cwd=private_project, check=False)
    assert failed.returncode == 2 and "refusing" in failed.stderr
    pointer.write_text(f"{where}\n")
    os.chmod(where / "state.json", 0o644)
    failed = dwh("db", "start", cwd=private_project, check=False)
    assert failed.returncode == 2 and "refusing" in failed.stderr and "state.json" in failed.stderr
    os.chmod(where / "state.json", 0o600)
    dwh("db", "start", cwd=private_project)


@root_only
def test_round_one_var_tmp_cluster_made_by_root_is_kept(private_project):
    """A genuine round-one cluster in /var/tmp/dwhkit-<hash> (root's, private state) is adopted."""
    requested = (private_project / ".dwhkit" / "pg").resolve()
    legacy = Path("/var/tmp") / f"dwhkit-{hashlib.sha1(str(requested).encode()).hexdigest()[:12]}"
    try:
        _round_one_cluster(legacy)
        dwh("db", "start", cwd=private_project)
        assert EmbeddedServer(requested).root == legacy
        url = dwh("db", "url", cwd=private_project).stdout.strip()
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT v, current_setting('is_superuser') FROM stedi.t")
            assert cur.fetchall() == [("kept", "off")]
    finally:
        dwh("db", "stop", cwd=private_project, check=False)
        shutil.rmtree(legacy, ignore_errors=True)


# -- an ordinary user --------------------------------------------------------------------------
@pytest.fixture
def ordinary_user():
    if not AS_ROOT:
        return pwd.getpwuid(os.geteuid()).pw_name
    name = "dwhkit-tester"
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    return name


def _as_user(name: str, fn):
    """Run ``fn`` in a forked child that switched to the OS user ``name`` (no root left); its
    return value (JSON) or its error comes back. Forked, not a new interpreter: the test's Python
    may live where another user cannot read (e.g. under /root)."""
    ent = pwd.getpwnam(name)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.close(r)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(ent.pw_gid)
                os.setuid(ent.pw_uid)
            os.environ.update(PLANTED)
            out = {"ok": fn()}
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            out = {"error": f"{type(exc).__name__}: {exc}"}
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    out = json.loads(b"".join(chunks) or b'{"error": "no answer"}')
    if "error" in out:
        raise AssertionError(f"as {name}: {out['error']}")
    return out["ok"]


def test_an_ordinary_user_runs_the_server_as_themselves(ordinary_user):
    ent = pwd.getpwnam(ordinary_user)
    project = _shared_dir("dwhkit-user-")
    os.chown(project, ent.pw_uid, ent.pw_gid)
    root = project / ".dwhkit" / "pg"
    try:
        url = _as_user(ordinary_user, lambda: EmbeddedServer(root).start().url())
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT current_user, current_setting('is_superuser')")
            assert cur.fetchone() == ("dwh", "off")
        for path, mode in ((root, 0o700), (root / "state.json", 0o600)):
            st = os.lstat(path)
            assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (ent.pw_uid, mode)
        pid = int((root / "data" / "postmaster.pid").read_text().split()[0])
        assert os.stat(f"/proc/{pid}").st_uid == ent.pw_uid
        assert not any(s in Path(f"/proc/{pid}/environ").read_bytes().decode() for s in PLANTED.values())
    finally:
        _as_user(ordinary_user, lambda: EmbeddedServer(root).stop())
        shutil.rmtree(project, ignore_errors=True)


# -- 7a. a stale postmaster.pid ------------------------------------------------------------------
def _wait_until_exec(pid: int, program: bytes, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].endswith(program):
                return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not start {program!r}")


def test_stale_pid_file_naming_a_live_process_is_detected_and_cleared(caplog):
    project = _shared_dir("dwhkit-stale-")
    server = EmbeddedServer(project / "pg")
    run_as = {}
    if AS_ROOT:  # pg_ctl believes a pid of its own user; that is what a reboot leaves behind
        ent = pwd.getpwnam(server.os_user)
        run_as = {"user": ent.pw_uid, "group": ent.pw_gid, "extra_groups": []}
    impostor = None
    try:
        info = server.start()
        server.stop()
        impostor = subprocess.Popen(["sleep", "600"], cwd="/", **run_as)
        _wait_until_exec(impostor.pid, b"sleep")  # between fork and exec /proc shows no command line
        pid_file = server.data_dir / "postmaster.pid"
        pid_file.write_text(f"{impostor.pid}\n{server.data_dir}\n1700000000\n{info.port}\n\n127.0.0.1\n"
                            "  5432001    32768\nready   \n")
        if AS_ROOT:
            os.chown(pid_file, run_as["user"], run_as["group"])
        status = server.status()
        assert not status["running"] and f"process {impostor.pid} is 'sleep'" in status["stale_pid"]
        with caplog.at_level("WARNING", logger="dwhkit.targets.embedded"):
            info = server.start()
        assert "removed the stale" in caplog.text and "'sleep'" in caplog.text
        with psycopg2.connect(**info.dsn()) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1")
        assert server.running() and server.stale_pid_reason() is None
        assert impostor.poll() is None  # the process named in the file was left alone
    finally:
        if impostor is not None:
            impostor.kill()
            impostor.wait()
        server.destroy()
        shutil.rmtree(project, ignore_errors=True)


def test_stale_pid_file_naming_a_dead_process_reads_as_stopped():
    project = _shared_dir("dwhkit-dead-")
    server = EmbeddedServer(project / "pg")
    try:
        info = server.start()
        server.stop()
        gone = subprocess.Popen(["true"])
        gone.wait()
        (server.data_dir / "postmaster.pid").write_text(f"{gone.pid}\n{server.data_dir}\n1700000000\n{info.port}\n")
        status = server.status()
        assert not status["running"] and "no longer exists" in status["stale_pid"]
        server.start()
        assert server.running()
    finally:
        server.destroy()
        shutil.rmtree(project, ignore_errors=True)


# -- 7b. disk full ------------------------------------------------------------------------------
@pytest.fixture
def small_disk():
    """A 96 MB tmpfs (root only: mounting needs it), readable by the server user."""
    if not AS_ROOT:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    where = Path(tempfile.mkdtemp(prefix="dwhkit-small-", dir="/tmp"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96m,mode=0755", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)
    where.rmdir()


def _fill(path: Path) -> None:
    with open(path, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * (1 << 20))
                fh.flush()
        except OSError:
            pass
    # a write of a few more bytes fails too
    with pytest.raises(OSError), open(path.with_suffix(".more"), "wb") as fh:
        fh.write(b"\0" * 65536)
        fh.flush()
        os.fsync(fh.fileno())


def test_a_start_on_a_full_disk_says_disk_full(small_disk):
    server = EmbeddedServer(small_disk / "pg")
    try:
        server.start()
        server.stop()
        _fill(small_disk / "filler")
        with pytest.raises(ServerError) as err:
            server.start()
        message = str(err.value)
        assert message.startswith("disk full") and str(server.root) in message
        assert "Examine the log output" not in message
        (small_disk / "filler").unlink()
        server.start()  # space freed: it starts again
    finally:
        server.destroy()


def test_a_live_server_that_does_not_answer_says_how_to_recover(monkeypatch):
    """The server of this folder is alive but frozen (stopped, hung): the error names its pid, the
    port, the log, and the way out, instead of a bare "did not accept connections"."""
    import signal

    from dwhkit.targets import embedded

    project = _shared_dir("dwhkit-hung-")
    server = EmbeddedServer(project / "pg")
    try:
        info = server.start()
        pid = _postmaster_pid(server)
        os.kill(pid, signal.SIGSTOP)
        monkeypatch.setattr(embedded, "ACCEPT_WAIT", 3.0)      # the default 30 s, shortened
        try:
            with pytest.raises(ServerError) as err:
                EmbeddedServer(project / "pg").start()
        finally:
            os.kill(pid, signal.SIGCONT)
        message = str(err.value)
        assert f"pid {pid}" in message and f"127.0.0.1:{info.port}" in message
        assert "dwh db stop" in message and f"kill {pid}" in message
        assert "within 3 s" in message
    finally:
        server.destroy()
        shutil.rmtree(project, ignore_errors=True)
