"""The `dwh` command: a thin layer over dwhkit.app. Domain errors become one-line messages here,
and only here; the library raises them."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .errors import DwhError


class UsageError(DwhError):
    """A bad argument the parser could not see (a file that is not there, a folder not writable)."""


def _config(args):
    from .config import load_config

    config = load_config(args.config)
    if getattr(args, "warehouse", None):
        config = config.with_overrides(warehouse=args.warehouse)
    return config


def _print_report(report: dict, args) -> None:
    from . import report as rep

    if args.json:
        print(rep.to_json(report))
    else:
        rep.render(report)
    if getattr(args, "html", None):
        try:
            from .report_html import write_html
        except ImportError:
            raise UsageError("--html needs dwhkit.report_html, which this installation lacks") from None
        write_html(report, Path(args.html))
        print(f"wrote {args.html}", file=sys.stderr)


def cmd_create_tables(args) -> int:
    from .app import create_tables

    tables = create_tables(_config(args))
    print(f"created {len(tables)} tables: {', '.join(tables)}")
    return 0


def _watch_step(step):
    """A spinner for SQL steps that run over a second; a COPY step has its own progress bar."""
    import contextlib

    from .copy.progress import step_spinner

    return contextlib.nullcontext() if step.table else step_spinner(step.name)


def cmd_etl(args) -> int:
    from .app import run_etl

    # No per-step lines here: the report prints each step's seconds once.
    report = run_etl(_config(args), lake=args.lake, wait_for_lock=not args.no_wait, watch_step=_watch_step)
    _print_report(report, args)
    return 0 if report["passed"] else 1


def cmd_run(args) -> int:
    from .app import create_tables

    tables = create_tables(_config(args))
    # with --json, stdout carries the report alone
    print(f"created {len(tables)} tables", file=sys.stderr if args.json else sys.stdout)
    return cmd_etl(args)


def cmd_report(args) -> int:
    from .app import report

    rep = report(_config(args))
    _print_report(rep, args)
    return 0 if rep["passed"] else 1


def _managed_target(args):
    """The configured target, when dwhkit manages its server (`dwh db`)."""
    from .errors import ConfigError
    from .targets import get_target

    target = get_target(_config(args))
    if not target.manages_server:
        raise ConfigError(f"`dwh db` manages the embedded server; the configured target is {target.name!r}")
    return target


def cmd_db(args) -> int:
    target = _managed_target(args)
    if args.action == "status":
        st = target.status()
        print(f"{'running' if st['running'] else 'stopped'} ({'initialised' if st['initialised'] else 'not initialised'})"
              f"  data: {st['root']}  port: {st['port']}  log: {st['log']}")
        if st.get("stale_pid"):
            print(f"note: {target.server.pid_file} is stale ({st['stale_pid']}); `dwh db start` clears it")
    elif args.action == "start":
        info = target.start()
        print(f"running on 127.0.0.1:{info.port} (data: {target.server.root})")
    elif args.action == "stop":
        print("stopped" if target.stop() else "was not running")
    elif args.action == "url":
        print(target.start().url())  # the password is the embedded server's own, local-only
    return 0


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def cmd_translate(args) -> int:
    from . import translate

    print(translate(_read(args.file)))
    return 0


def _statements_of_module(path: Path) -> list[tuple[str, str]]:
    """The SQL strings a classic sql_queries.py defines: every top-level str, and every str in a
    top-level list or tuple, whose first word is a SQL keyword. The module is run to read them."""
    import runpy

    keywords = ("select", "insert", "create", "drop", "copy", "unload", "update", "delete", "alter",
                "truncate", "with", "begin", "merge", "grant", "analyze", "vacuum")
    found = []
    for name, value in runpy.run_path(str(path)).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for i, v in enumerate(values):
            if isinstance(v, str) and v.strip().split(None, 1)[:1] and v.strip().split(None, 1)[0].lower() in keywords:
                found.append((name if values is not value else f"{name}[{i}]", v))
    return found


def cmd_check(args) -> int:
    from .check import check_redshift

    path = Path(args.file)
    text = _read(args.file)
    if path.suffix == ".py":  # a classic sql_queries.py: check each query it defines, once
        seen, problems = set(), []
        for name, sql in _statements_of_module(path):
            if sql not in seen:
                seen.add(sql)
                problems += [f"{name}: {p}" for p in check_redshift(sql)]
    else:
        problems = check_redshift(text)
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)" if problems else "ok: every statement parses as Redshift SQL")
    return 1 if problems else 0


def cmd_migrate(args) -> int:
    from . import migrate

    # alembic's "Context impl …", "Running upgrade …" lines: -v only
    logging.getLogger("alembic").setLevel(logging.NOTSET if args.verbose else logging.WARNING)
    try:
        return _migrate(migrate, args)
    except Exception as exc:
        # SQLAlchemy wraps the driver's error (e.g. a table that create-tables already made);
        # say it in one line, with the way out. Anything else is a bug and keeps its traceback.
        if type(exc).__module__.split(".")[0] != "sqlalchemy":
            raise
        cause = exc.__cause__ or getattr(exc, "orig", None) or exc
        first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        hint = ("; a warehouse built by create-tables is stamped, not upgraded: dwh migrate stamp head"
                if "already exists" in first else "")
        raise UsageError(f"migrate {args.action} failed and was rolled back: {first}{hint}") from exc


def _migrate(migrate, args) -> int:
    if args.action == "sql":  # offline: the Redshift script, no connection
        print(migrate.offline_sql(args.revision or "head", config=_config(args)), end="")
    elif args.action == "history":
        for rev, doc in migrate.history(config=_config(args)):
            print(f"{rev}  {doc}")
    elif args.action == "check":
        migrate.check(_config(args))
        print("ok: the migrations build the same schema as create-tables")
    elif args.action == "current":
        print(", ".join(migrate.current(_config(args))) or "none (not migrated or stamped yet)")
    else:  # upgrade | downgrade | stamp
        default = "-1" if args.action == "downgrade" else "head"
        config = _config(args)
        getattr(migrate, args.action)(config, args.revision or default)
        print(f"at {', '.join(migrate.current(config)) or 'base'}")  # -v also lists each revision run
    return 0


def cmd_sample(args) -> int:
    from .warehouses import get_warehouse

    wh = get_warehouse(_config(args).warehouse)
    if wh.generate_sample is None:
        raise UsageError(f"the {wh.name} warehouse has no sample generator")
    try:
        out = wh.generate_sample(Path(args.out))
    except OSError as exc:
        raise UsageError(f"cannot write the sample to {args.out}: {exc.strerror or exc}") from None
    print(f"wrote the {wh.name} sample to {out}")
    return 0


def cmd_ingest(args) -> int:
    from . import ingest

    if not args.follow:
        print("error: only --follow is implemented: dwh ingest --follow [--job name] [--once]", file=sys.stderr)
        return 2
    config = _config(args)
    refresh = None
    if args.refresh:
        from .warehouses import get_warehouse

        refresh = ingest.refresh_warehouse(get_warehouse(config.warehouse))
    stats = ingest.follow(config, job=args.job, interval=args.interval, once=args.once, refresh=refresh,
                          on_run=lambda name, r: print(f"  {r.message} ({r.seconds:.2f}s)", file=sys.stderr))
    print(f"{stats.runs} run(s), {stats.files} file(s), {stats.rows:,} row(s) loaded"
          + (f", {len(stats.failed)} file(s) failed" if stats.failed else ""))
    return 1 if stats.failed else 0


GLOBAL_OPTIONS = ("config", "warehouse", "verbose")


def _add_global_options(parser: argparse.ArgumentParser, *, on_subcommand: bool) -> None:
    """--config, --warehouse and -v, accepted before the command (`dwh --config x etl`) and after it
    (`dwh etl --config x`).

    Why each parser gets its own option objects: argparse ``parents=`` shares the *same* Action
    objects between parsers, so ``set_defaults`` on the top parser also rewrote the subcommands'
    defaults to None, and the subcommand then overwrote whatever came before it with None —
    `dwh --config other.cfg create-tables` silently dropped ./dwh.cfg's warehouse instead.
    The subcommand's copies store under their own names (``sub_config`` …) and ``_merge_globals``
    combines both positions, refusing two different values rather than silently picking one."""
    from .warehouses import warehouse_names

    prefix = "sub_" if on_subcommand else ""
    names = warehouse_names()
    parser.add_argument("--config", dest=prefix + "config", metavar="FILE", default=None,
                        help="config file (default: $DWH_CONFIG or ./dwh.cfg)")
    parser.add_argument("--warehouse", dest=prefix + "warehouse", choices=names, metavar="NAME", default=None,
                        help=f"which warehouse: {' | '.join(names)} (default: [TARGET] warehouse in the config)")
    parser.add_argument("-v", "--verbose", dest=prefix + "verbose", action="store_true", default=False,
                        help="log more (SQL steps, alembic's migration log)")


def _merge_globals(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    for name in GLOBAL_OPTIONS:
        before, after = getattr(args, name, None), getattr(args, "sub_" + name, None)
        if name == "verbose":
            setattr(args, name, bool(before or after))
        elif before is not None and after is not None and before != after:
            parser.error(f"--{name} given twice with different values ({before!r} before the command, "
                         f"{after!r} after it); give it once")
        else:
            setattr(args, name, after if after is not None else before)
        if hasattr(args, "sub_" + name):
            delattr(args, "sub_" + name)
    return args


EPILOGS = {
    "create-tables": ("Drops every table of the warehouse and creates it again, empty (the laptop workflow;\n"
                      "a warehouse holding data evolves with `dwh migrate` instead).",
                      ["dwh create-tables", "dwh --warehouse criteo create-tables",
                       "dwh --config dwh.local.cfg create-tables", "python create_tables.py --warehouse energy"]),
    "etl": ("Loads the landing tables with COPY, fills trusted, curated and the star schema, one\n"
            "transaction per step, then prints the report. Safe to rerun; a failed run is logged.",
            ["dwh etl", "dwh etl --lake s3://my-bucket/stedi/landing",
             "dwh etl --lake ../shared/data/stedi/v2023_reduced --json > report.json",
             "python etl.py --warehouse energy"]),
    "run": ("create-tables, then etl: the main job from scratch (drops the warehouse's data first).",
            ["dwh run", "dwh --warehouse criteo run --json"]),
    "report": ("Row counts, rejected rows, step seconds, where every row went and the data-quality checks\n"
               "of the last ETL run, with when it ran, the lake it read, and any later failed attempt.\n"
               "Exit status 1 when a check fails.",
               ["dwh report", "dwh report --json | jq .header", "dwh --warehouse energy report --html report.html"]),
    "db": ("The embedded Postgres server (the default target). It keeps running between commands;\n"
           "`dwh db stop` stops it. `url` prints a libpq URL for psql, notebooks or BI tools.",
           ["dwh db status", "dwh db start", "psql \"$(dwh db url)\"", "dwh db stop"]),
    "translate": ("Prints the Postgres form of a Redshift SQL file (what dwhkit runs on Postgres targets).",
                  ["dwh translate schema.sql", "dwh translate - < query.sql > query.pg.sql"]),
    "check": ("Validates a Redshift SQL file, or each query a sql_queries.py defines, against Redshift's\n"
              "grammar; no cluster needed. Exit status 1 when a statement does not parse.",
              ["dwh check schema.sql", "dwh check sql_queries.py"]),
    "migrate": ("Schema migrations (alembic) written in Redshift SQL, applied to the configured target.\n"
                "A warehouse first built by create-tables is stamped, not upgraded: dwh migrate stamp head.",
                ["dwh migrate upgrade", "dwh migrate current", "dwh -v migrate upgrade 0002",
                 "dwh migrate downgrade", "dwh migrate sql 0002:head > migrate.sql", "dwh migrate check"]),
    "sample": ("Writes the warehouse's generated sample landing data (deterministic), the same files\n"
               "`dwh etl` loads when no lake is configured.",
               ["dwh sample /tmp/stedi-lake && dwh etl --lake /tmp/stedi-lake", "dwh --warehouse criteo sample lake/"]),
    "ingest": ("Continuous ingestion on Postgres targets, as Redshift's auto-copy does: polls the S3 prefix\n"
               "of every COPY JOB with AUTO ON and loads each new file exactly once.",
               ["dwh --warehouse criteo ingest --follow", "dwh --warehouse criteo ingest --follow --once --refresh",
                "dwh ingest --follow --job my_job --interval 30"]),
}


EPILOGS["exec"] = (
    "Runs a command with psycopg2, redshift_connector and SQLAlchemy connections to Redshift hosts\n"
    "routed to dwhkit's target, in every Python process it starts: an existing project runs unmodified.\n"
    "Config: --config, else $DWH_CONFIG, else ./dwh.cfg (a project's dwh.cfg with no [TARGET] means the\n"
    "embedded target, its data beside that file).",
    ["dwh exec -- python create_tables.py", "dwh exec python etl.py", "dwh exec -m pytest -q tests/",
     "dwh exec --config dwh.local.cfg -- python etl.py"])


EPILOGS["serve"] = (
    "Runs until SIGTERM/SIGINT; prints 'listening on HOST:PORT' once clients can connect. Clients log in\n"
    "as [SERVE] user (awsuser) to database dev with the password in DWH_SERVE_PASSWORD (md5 or\n"
    "scram-sha-256, [SERVE] auth). Redshift SQL is translated; COPY/UNLOAD run through dwhkit's emulation.",
    ["DWH_SERVE_PASSWORD=secret dwh serve", "dwh serve --port 15439 --tls",
     "PGPASSWORD=secret psql -h 127.0.0.1 -p 5439 -U awsuser dev"])


def cmd_serve(args) -> int:
    from .serve.command import run

    return run(_config(args), host=args.host, port=args.port, tls=args.tls)


def cmd_exec(args) -> int:
    from .patching.exec import run

    if args.module is not None:  # -m takes the rest of the line: the module and its arguments
        if not args.module:
            raise UsageError("dwh exec -m MODULE [ARGS …]: the module comes right after -m")
        rest = args.argv[1:] if args.argv[:1] == ["--"] else args.argv  # argparse splits at --
        return run(args.config, args.module[0], args.module[1:] + rest, verbose=args.verbose,
                   warehouse=args.warehouse)
    return run(args.config, None, args.argv, verbose=args.verbose, warehouse=args.warehouse)


def _epilog(name: str) -> str:
    _, examples = EPILOGS[name]
    return "examples:\n" + "\n".join(f"  {e}" for e in examples)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dwh", formatter_class=argparse.RawDescriptionHelpFormatter,
                                description="Run a Redshift warehouse on embedded Postgres, any Postgres, or Redshift.",
                                epilog="examples:\n  dwh run\n  dwh --warehouse criteo ingest --follow\n"
                                       "  dwh --config dwh.local.cfg report --json\n\n"
                                       "`dwh COMMAND --help` describes each command.")
    _add_global_options(p, on_subcommand=False)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add = sub.add_parser

    def add_parser(name, **kw):
        sp = _add(name, description=EPILOGS[name][0], epilog=_epilog(name),
                  formatter_class=argparse.RawDescriptionHelpFormatter, **kw)
        _add_global_options(sp, on_subcommand=True)
        return sp

    sub.add_parser = add_parser

    sub.add_parser("create-tables", help="drop and recreate every table").set_defaults(func=cmd_create_tables)
    for name, func, help_ in (("etl", cmd_etl, "load landing data and fill trusted, curated and star tables"),
                              ("run", cmd_run, "create-tables, then etl (the main job)")):
        sp = sub.add_parser(name, help=help_)
        sp.add_argument("--lake", help="landing data: s3://bucket/prefix or a local folder (default: [S3] lake, else a generated sample)")
        sp.add_argument("--json", action="store_true", help="print the report as JSON")
        sp.add_argument("--html", metavar="FILE", help="also write the report as an HTML page")
        sp.add_argument("--no-wait", action="store_true", help="stop instead of waiting when another ETL run holds the lock")
        sp.set_defaults(func=func)
    sp = sub.add_parser("report", help="row counts, row reconciliation and data-quality checks")
    sp.add_argument("--json", action="store_true", help="print as JSON")
    sp.add_argument("--html", metavar="FILE", help="also write the report as an HTML page")
    sp.set_defaults(func=cmd_report)
    sp = sub.add_parser("db", help="manage the embedded Postgres server")
    sp.add_argument("action", choices=["status", "start", "stop", "url"], help="status | start | stop | url (a libpq URL)")
    sp.set_defaults(func=cmd_db)
    sp = sub.add_parser("translate", help="print the Postgres form of a Redshift SQL file")
    sp.add_argument("file", help="a .sql file, or - for standard input")
    sp.set_defaults(func=cmd_translate)
    sp = sub.add_parser("check", help="validate a Redshift SQL file (or a sql_queries.py) against the Redshift grammar, no cluster")
    sp.add_argument("file", help="a .sql file, or a Python module such as sql_queries.py")
    sp.set_defaults(func=cmd_check)
    sp = sub.add_parser("migrate", help="schema migrations (alembic): upgrade, downgrade, stamp, current, sql, check")
    sp.add_argument("action", choices=["upgrade", "downgrade", "stamp", "current", "history", "sql", "check"],
                    help="upgrade | downgrade | stamp | current | history | sql (print the Redshift script) | "
                         "check (migrations vs create-tables)")
    sp.add_argument("revision", nargs="?", help="target revision: head, 0002, -1, base, or a range like 0001:head for sql")
    sp.set_defaults(func=cmd_migrate)
    sp = sub.add_parser("sample", help="write the warehouse's generated sample landing data")
    sp.add_argument("out", help="folder to write into")
    sp.set_defaults(func=cmd_sample)
    sp = sub.add_parser("ingest", help="continuous ingestion: run COPY JOBs as new files arrive (Postgres targets)")
    sp.add_argument("--follow", action="store_true", help="watch the jobs' S3 prefixes and load new files")
    sp.add_argument("--job", help="the COPY JOB to follow (default: every job with AUTO ON)")
    sp.add_argument("--interval", type=float, default=5.0, help="seconds between polls (default 5)")
    sp.add_argument("--once", action="store_true", help="one pass, then exit")
    sp.add_argument("--refresh", action="store_true", help="rebuild the warehouse's star schema and marts after a load")
    sp.set_defaults(func=cmd_ingest)
    sp = sub.add_parser("serve", help="a local Redshift endpoint (Postgres wire protocol) for psql, drivers, dbt")
    sp.add_argument("--host", help="address to listen on (default [SERVE] host, 127.0.0.1: loopback only)")
    sp.add_argument("--port", type=int, help="port (default [SERVE] port, 5439; 0 picks a free one)")
    sp.add_argument("--tls", action="store_true", help="offer TLS with a self-signed certificate kept with the data")
    sp.set_defaults(func=cmd_serve)
    sp = sub.add_parser("exec", help="run a script or module with Redshift connections routed to dwhkit")
    sp.add_argument("-m", dest="module", nargs=argparse.REMAINDER, metavar="MODULE …",
                    help="run a Python module and its arguments, as python -m MODULE …")
    sp.add_argument("argv", nargs=argparse.REMAINDER, metavar="[--] COMMAND …", help="the command and its arguments")
    sp.set_defaults(func=cmd_exec)
    return p


# What to do about an error, where its message alone does not say.
def _hint(exc: DwhError, args) -> str:
    from .errors import TargetConnectError

    if isinstance(exc, TargetConnectError):
        import os

        where = args.config or os.environ.get("DWH_CONFIG") or "./dwh.cfg"
        return (f" — start that server, or fix [CLUSTER] host and port in {where} "
                "(or DWH_CLUSTER_HOST, DWH_CLUSTER_PORT)")
    return ""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _LoadCountsFilter(logging.Filter):
    """Drops the Redshift-style "Load into table … N record(s) …" lines (kept for scripts and -v):
    `dwh etl` prints the same counts in its report."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "dwhkit" and str(record.msg).startswith("Load into table"))


# Commands that may start the embedded server (db manages it explicitly; the others never connect).
_CONNECTING = {"create-tables", "etl", "run", "report", "migrate", "ingest"}


def _embedded_hint(args) -> None:
    """Once per command, on stderr: a user who never ran `dwh db start` may not know a server is left running."""
    if args.command not in _CONNECTING or (args.command == "migrate" and args.action in ("sql", "history")):
        return
    try:
        from .targets import get_target

        target = get_target(_config(args))
        if not target.manages_server:
            return
        running = target.status()["running"]
    except Exception:  # a hint must never turn into an error
        return
    if running:
        print("note: the embedded Postgres server keeps running in the background; `dwh db stop` stops it",
              file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = _merge_globals(parser, parser.parse_args(argv))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="dwhkit: %(message)s")
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not args.verbose and args.command in ("etl", "run"):
        for handler in logging.getLogger().handlers:  # the report prints these counts once
            handler.addFilter(_LoadCountsFilter())
    try:
        code = args.func(args)
    except DwhError as exc:
        print(f"error: {_one_line(exc)}{_hint(exc, args)}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt as exc:  # CopyInterrupted says what was rolled back
        print(f"error: {exc}" if str(exc) else "interrupted", file=sys.stderr)
        return 130
    _embedded_hint(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
