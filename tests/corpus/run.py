"""Runs a category's cases on one dwhkit connection and says, per case, what happened."""
from __future__ import annotations

from dataclasses import dataclass

from . import Case, Raises, files, load
from .compare import redshift_text, rows_match


@dataclass
class Outcome:
    case: Case
    passed: bool
    detail: str  # why it failed ("" when it passed)


def open_category(connect, category: str, strict_setup: bool = True):
    """A connection (autocommit, so one failing case cannot abort the next) with the category's
    schema first on the search path and its setup run. ``strict_setup=False`` (the plain-Postgres
    baseline) lets a setup statement fail: the cases that need it then fail as they should."""
    _upload(category)
    conn = connect()
    conn.autocommit = True
    schema = f"corpus_{category}"
    with conn.cursor() as cur:
        cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        cur.execute(f'CREATE SCHEMA "{schema}"')
        cur.execute(f'SET search_path TO "{schema}", public')
        for stmt in load(category)[0]:
            try:
                cur.execute(stmt)
            except Exception:
                if strict_setup:
                    raise
    return conn


def _upload(category: str) -> None:
    """Put the category's documented data files into its bucket (the S3 that boto3 is pointed at:
    AWS_ENDPOINT_URL_S3, a local moto server in tests and in ``python -m tests.corpus``)."""
    bucket, objects = files(category)
    if not objects:
        return
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1")
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    for key, text in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=text.encode())


def run_case(conn, case: Case) -> Outcome:
    try:
        with conn.cursor() as cur:
            for stmt in case.sql:
                cur.execute(stmt)
            rows = cur.fetchall() if cur.description is not None else []
    except Exception as exc:  # the server's or the translator's refusal is an outcome here
        message = " ".join(str(exc).split())
        if isinstance(case.expected, Raises):
            ok = case.expected.fragment.lower() in message.lower()
            return Outcome(case, ok, "" if ok else f"error {message[:160]!r}")
        return Outcome(case, False, f"{type(exc).__name__}: {message[:160]}")
    if isinstance(case.expected, Raises):
        return Outcome(case, False, f"no error; got {_show(rows)}")
    if rows_match(case.expected, rows, case.ordered):
        return Outcome(case, True, "")
    return Outcome(case, False, f"got {_show(rows)}")


def _show(rows) -> str:
    text = repr([tuple(redshift_text(v) if v is not None else None for v in r) for r in rows[:6]])
    return text[:160] + (" …" if len(rows) > 6 or len(text) > 160 else "")


def run_category(connect, category: str, strict_setup: bool = True) -> list[Outcome]:
    conn = open_category(connect, category, strict_setup)
    try:
        return [run_case(conn, c) for c in load(category)[1]]
    finally:
        conn.close()
