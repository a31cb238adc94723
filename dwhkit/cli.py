"""The `dwh` command: a thin layer over dwhkit.app. Domain errors become one-line messages here,
and only here; the library raises them."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .errors import DwhError


def _config(args):
    from .config import load_config

    config = load_config(args.config)
    if getattr(args, "warehouse", None):
        config = config.with_overrides(warehouse=args.warehouse)
    return config


def _print_report(report: dict, as_json: bool) -> None:
    from . import report as rep

    if as_json:
        print(rep.to_json(report))
    else:
        rep.render(report)


def cmd_create_tables(args) -> int:
    from .app import create_tables

    tables = create_tables(_config(args))
    print(f"created {len(tables)} tables: {', '.join(tables)}")
    return 0


def cmd_etl(args) -> int:
    from .app import run_etl

    def on_step(r):
        extra = f", {r.rows_loaded:,} rows" if r.rows_loaded is not None else ""
        extra += f", {r.rows_rejected:,} rejected" if r.rows_rejected else ""
        print(f"  {r.name}: {r.seconds:.2f}s{extra}", file=sys.stderr)

    report = run_etl(_config(args), lake=args.lake, wait_for_lock=not args.no_wait, on_step=on_step)
    print(f"loaded from {report['lake']}", file=sys.stderr)
    _print_report(report, args.json)
    return 0 if report["passed"] else 1


def cmd_run(args) -> int:
    cmd_create_tables(args)
    return cmd_etl(args)


def cmd_report(args) -> int:
    from .app import report

    rep = report(_config(args))
    _print_report(rep, args.json)
    return 0 if rep["passed"] else 1


def _embedded_server(args):
    from .errors import ConfigError
    from .targets.embedded import EmbeddedServer

    config = _config(args)
    if config.target_type != "embedded":
        raise ConfigError(f"`dwh db` manages the embedded server; the configured target is {config.target_type!r}")
    return EmbeddedServer(config.resolve(config.embedded_data_dir), port=config.embedded_port)


def cmd_db(args) -> int:
    server = _embedded_server(args)
    if args.action == "status":
        st = server.status()
        print(f"{'running' if st['running'] else 'stopped'} ({'initialised' if st['initialised'] else 'not initialised'})"
              f"  data: {st['root']}  port: {st['port']}  log: {st['log']}")
    elif args.action == "start":
        info = server.start()
        print(f"running on 127.0.0.1:{info.port} (data: {server.root})")
    elif args.action == "stop":
        print("stopped" if server.stop() else "was not running")
    elif args.action == "url":
        print(server.start().url())  # the password is the embedded server's own, local-only
    return 0


def cmd_translate(args) -> int:
    from . import translate

    sql = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
    print(translate(sql))
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
    from .compat import check_redshift

    path = Path(args.file)
    if path.suffix == ".py":  # a classic sql_queries.py: check each query it defines, once
        seen, problems = set(), []
        for name, sql in _statements_of_module(path):
            if sql not in seen:
                seen.add(sql)
                problems += [f"{name}: {p}" for p in check_redshift(sql)]
    else:
        problems = check_redshift(path.read_text())
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)" if problems else "ok: every statement parses as Redshift SQL")
    return 1 if problems else 0


def cmd_migrate(args) -> int:
    from . import migrate

    logging.getLogger("alembic").setLevel(logging.WARNING)  # keep "Running upgrade …" lines only
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    if args.action == "sql":  # offline: the Redshift script, no connection
        print(migrate.offline_sql(args.revision or "head"), end="")
    elif args.action == "history":
        for rev, doc in migrate.history():
            print(f"{rev}  {doc}")
    elif args.action == "check":
        migrate.check(_config(args))
        print("ok: the migrations build the same schema as create-tables")
    elif args.action == "current":
        print(", ".join(migrate.current(_config(args))) or "none (not migrated or stamped yet)")
    else:  # upgrade | downgrade | stamp
        default = "-1" if args.action == "downgrade" else "head"
        getattr(migrate, args.action)(_config(args), args.revision or default)
        print(f"at {', '.join(migrate.current(_config(args))) or 'base'}")
    return 0


def cmd_sample(args) -> int:
    from .warehouse import get_warehouse

    wh = get_warehouse(_config(args).warehouse)
    out = wh.generate_sample(Path(args.out))
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
        from .warehouse import get_warehouse

        refresh = ingest.refresh_warehouse(get_warehouse(config.warehouse))
    stats = ingest.follow(config, job=args.job, interval=args.interval, once=args.once, refresh=refresh,
                          on_run=lambda name, r: print(f"  {r.message} ({r.seconds:.2f}s)", file=sys.stderr))
    print(f"{stats.runs} run(s), {stats.files} file(s), {stats.rows:,} row(s) loaded"
          + (f", {len(stats.failed)} file(s) failed" if stats.failed else ""))
    return 1 if stats.failed else 0


def build_parser() -> argparse.ArgumentParser:
    # The global options are accepted before or after the command (`dwh etl --config x`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help="config file (default: $DWH_CONFIG or ./dwh.cfg)")
    common.add_argument("--warehouse", default=argparse.SUPPRESS, help="which warehouse (default: [TARGET] warehouse, 'stedi')")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log more")
    p = argparse.ArgumentParser(prog="dwh", parents=[common],
                                description="Run a Redshift warehouse on embedded Postgres, any Postgres, or Redshift.")
    p.set_defaults(config=None, warehouse=None, verbose=False)
    sub = p.add_subparsers(dest="command", required=True)
    _add = sub.add_parser

    def add_parser(name, **kw):
        return _add(name, parents=[common], **kw)

    sub.add_parser = add_parser

    sub.add_parser("create-tables", help="drop and recreate every table").set_defaults(func=cmd_create_tables)
    for name, func, help_ in (("etl", cmd_etl, "load landing data and fill trusted, curated and star tables"),
                              ("run", cmd_run, "create-tables, then etl (the main job)")):
        sp = sub.add_parser(name, help=help_)
        sp.add_argument("--lake", help="landing data: s3://bucket/prefix or a local folder (default: [S3] lake, else a generated sample)")
        sp.add_argument("--json", action="store_true", help="print the report as JSON")
        sp.add_argument("--no-wait", action="store_true", help="stop instead of waiting when another ETL run holds the lock")
        sp.set_defaults(func=func)
    sp = sub.add_parser("report", help="row counts, row reconciliation and data-quality checks")
    sp.add_argument("--json", action="store_true", help="print as JSON")
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="dwhkit: %(message)s")
    for noisy in ("botocore", "boto3", "urllib3", "s3transfer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return args.func(args)
    except DwhError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
