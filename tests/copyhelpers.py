"""Small helpers shared by the COPY/UNLOAD tests: put an object, run DDL, read rows."""
from __future__ import annotations

import json


def put(s3, bucket, key, body):
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode() if isinstance(body, str) else body)


def ddl(conn, *sqls):
    with conn.cursor() as cur:
        for sql in sqls:
            cur.execute(sql)
    conn.commit()


def rows(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def jl(*objs):
    """JSON lines."""
    return "".join(json.dumps(o) + "\n" for o in objs)
