"""``python -m tests.corpus``: run the corpus and print the pass rate by category.

With no argument it starts a throwaway embedded Postgres and a moto S3 server on 127.0.0.1 (for
the COPY examples' data files); ``--config dwh.cfg`` runs against a configured target instead (a
real Redshift cluster should pass every row; the COPY category then needs S3 access to its bucket). ``--failures`` lists
each failing row with its reason; ``--write-known`` rewrites known.py from this run (review the
diff: a row that starts passing must be removed from known.py, which pytest reports as XPASS)."""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from . import CATEGORIES, skipped
from .run import run_category


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.corpus")
    parser.add_argument("--config", help="a dwh.cfg to run against (default: a throwaway embedded Postgres)")
    parser.add_argument("--category", action="append", choices=CATEGORIES)
    parser.add_argument("--failures", action="store_true", help="list the failing rows")
    parser.add_argument("--write-known", action="store_true", help="rewrite known.py from this run")
    parser.add_argument("--plain-postgres", action="store_true",
                        help="baseline: run the statements untranslated on the embedded Postgres")
    args = parser.parse_args(argv)

    import dwhkit

    server = root = moto = None
    if not args.config:
        moto = _local_s3()
    if args.config:
        def connect():
            return dwhkit.connect(args.config)
    else:
        connect, server, root = _embedded(plain=args.plain_postgres)
    try:
        outcomes = {cat: run_category(connect, cat, strict_setup=not args.plain_postgres)
                    for cat in (args.category or CATEGORIES)}
    finally:
        if moto is not None:
            moto.stop()
        if server is not None:
            server.destroy()
            shutil.rmtree(root, ignore_errors=True)
    _print_table(outcomes)
    if args.failures:
        for cat, outs in outcomes.items():
            for o in outs:
                if not o.passed:
                    print(f"{o.case.id}\t{o.detail}")
    if args.write_known and not args.plain_postgres:
        _write_known({o.case.id: o.detail for outs in outcomes.values() for o in outs if not o.passed},
                     rerun=set(outcomes))
    return 0


def _local_s3():
    """A moto S3 server on loopback; boto3 (and so dwhkit's COPY) finds it through the environment."""
    import logging
    import os

    from dwhkit.testing.local_s3 import free_port, moto_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one request line per S3 call otherwise

    port = free_port()
    server = moto_server(port)
    server.start()
    os.environ.update({"AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"})
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    return server


def _embedded(plain: bool = False):
    import psycopg2

    from dwhkit.config import ClusterConfig, Config, Secret
    from dwhkit.targets.embedded import EmbeddedServer

    root = Path(tempfile.mkdtemp(prefix="dwhkit-corpus-", dir="/tmp"))
    root.chmod(0o755)
    server = EmbeddedServer(root / "pg")
    info = server.start()
    admin = psycopg2.connect(**info.dsn("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute('CREATE DATABASE "corpus"')
    admin.close()
    dsn = info.dsn("corpus")
    (root / "dwh.cfg").write_text("[TARGET]\ntype = postgres\n")
    config = Config(path=root / "dwh.cfg", target_type="postgres",
                    cluster=ClusterConfig(host=dsn["host"], port=dsn["port"], db_name=dsn["dbname"],
                                          db_user=dsn["user"], db_password=Secret(dsn["password"])))
    if plain:  # what Postgres alone does with the same statements: the translator's baseline
        return (lambda: psycopg2.connect(**dsn)), server, root
    import dwhkit
    return (lambda: dwhkit.connect(config)), server, root


def _print_table(outcomes) -> None:
    print("| category | documented behaviours | pass | failing (known) | pass rate | skipped examples |")
    print("|---|---:|---:|---:|---:|---:|")
    total = passed = skips = 0
    for cat, outs in outcomes.items():
        n, p, k = len(outs), sum(o.passed for o in outs), len(skipped(cat))
        total, passed, skips = total + n, passed + p, skips + k
        print(f"| {cat} | {n} | {p} | {n - p} | {100 * p / max(n, 1):.0f}% | {k} |")
    print(f"| **all** | {total} | {passed} | {total - passed} | {100 * passed / max(total, 1):.0f}% | {skips} |")


def _write_known(failures: dict[str, str], rerun: set[str]) -> None:
    from . import known

    path = Path(known.__file__)
    # rows of categories not run this time keep their entries; a kept reason wins (it may be hand-written)
    merged = {k: v for k, v in known.KNOWN.items() if k.split(":")[0] not in rerun}
    for key, detail in failures.items():
        merged[key] = known.KNOWN.get(key) or detail
    lines = ['"""Corpus rows that fail today, with the reason: pytest marks them xfail(strict=True).',
             "", "Remove a row when a fix makes it pass (pytest then reports XPASS as a failure).", '"""',
             "KNOWN = {"]
    lines += [f"    {k!r}:\n        {v!r}," for k, v in sorted(merged.items())]
    lines.append("}")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
