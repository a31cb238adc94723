"""Object GETs go through obstore (dwhkit/s3.py ``object_store``), LIST/HEAD through boto3: both must
reach the same endpoint, in the same region, signed as the same principal; the body must arrive
byte for byte (resumes pinned to the first ETag, keys obstore cannot name read through boto3), and
every failure must keep its CopyError message. All against the moto server, over HTTP."""
from __future__ import annotations

import gzip
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from botocore import UNSIGNED
from botocore.config import Config as BotoConfig

from dwhkit import s3 as s3mod
from dwhkit.copy import sources
from dwhkit.copy.grammar import parse_copy
from dwhkit.errors import CopyError
from dwhkit.targets.pg_sink import run_copy

from .faultproxy import FaultProxy

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class RecordingProxy:
    """Forwards to moto and keeps each request's method, path and headers (signatures included)."""

    def __init__(self, upstream: str):
        u = urlparse(upstream)
        self.upstream = (u.hostname, u.port)
        self.seen: list[tuple[str, str, dict]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                proxy.seen.append((self.command, self.path, headers))
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                conn.request(self.command, self.path, body=body,
                             headers={k: v for k, v in self.headers.items() if k.lower() not in HOP})
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                self.send_response(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()  # quick shutdown
        self.url = "http://%s:%d" % self.server.server_address[:2]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def object_gets(self, key: str) -> list[dict]:
        """Headers of the GETs of one object (not LIST: a listing's path has a query string)."""
        return [h for m, p, h in self.seen if m == "GET" and p.split("?")[0].endswith("/" + key)]


@pytest.fixture
def recorder(s3_endpoint, monkeypatch):
    p = RecordingProxy(s3_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", p.url)
    yield p
    p.stop()


@pytest.fixture
def table(pg_conn):
    with pg_conn.cursor() as cur:
        cur.execute("CREATE TABLE t (id int, name varchar(16))")
    pg_conn.commit()
    return pg_conn


def lines(n0: int, n: int) -> bytes:
    return "".join(json.dumps({"id": i, "name": f"n{i:07d}"}) + "\n" for i in range(n0, n0 + n)).encode()


def copy(conn, source: str, extra: str = "IAM_ROLE default"):
    res = run_copy(conn, parse_copy(f"COPY t FROM '{source}' {extra} JSON 'auto'"))
    conn.commit()
    return res


def rows(conn) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute("SELECT id, name FROM t ORDER BY id, name")
        return cur.fetchall()


def scope(authorization: str) -> tuple[str, str]:
    """(access key id, region) of a SigV4 Authorization header."""
    cred = authorization.split("Credential=")[1].split(",")[0]
    key, _date, region, _service, _ = cred.split("/")
    return key, region


# -- where and as whom -----------------------------------------------------------------------------
def test_get_is_obstore_signed_with_the_copy_keys_token_and_region(table, s3, bucket, recorder):
    s3.put_object(Bucket=bucket, Key="d/a.json", Body=lines(0, 50))
    res = copy(table, f"s3://{bucket}/d/", "ACCESS_KEY_ID 'AKIDCOPY' SECRET_ACCESS_KEY 'copysecret' "
               "SESSION_TOKEN 'copytoken' REGION 'eu-west-1'")
    assert res.rows_loaded == 50
    listing = [h for m, p, h in recorder.seen if m == "GET" and "list-type=2" in p]
    gets = recorder.object_gets("d/a.json")
    assert len(listing) == 1 and len(gets) == 1
    assert "boto" in listing[0]["user-agent"].lower()             # LIST: boto3
    assert "boto" not in gets[0]["user-agent"].lower()            # GET: obstore
    for h in (listing[0], gets[0]):                                # … as the same principal, same region
        assert scope(h["authorization"]) == ("AKIDCOPY", "eu-west-1")
        assert h["x-amz-security-token"] == "copytoken"


def test_get_uses_the_environment_chain_without_copy_keys(table, s3, bucket, recorder):
    s3.put_object(Bucket=bucket, Key="d/a.json", Body=lines(0, 5))
    copy(table, f"s3://{bucket}/d/")
    (get,) = recorder.object_gets("d/a.json")
    assert scope(get["authorization"]) == ("testing", "us-east-1")   # conftest's AWS_* variables
    assert "x-amz-security-token" not in get


def test_aws_endpoint_url_is_honoured_when_the_s3_one_is_unset(table, s3, bucket, recorder, monkeypatch):
    s3.put_object(Bucket=bucket, Key="d/a.json", Body=lines(0, 5))
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    monkeypatch.setenv("AWS_ENDPOINT_URL", recorder.url)
    assert copy(table, f"s3://{bucket}/d/").rows_loaded == 5
    assert len(recorder.object_gets("d/a.json")) == 1                 # path-style, through the proxy


def test_store_settings_follow_the_boto3_client(s3_endpoint):
    local = s3mod.client("eu-central-1", access_key_id="k", secret_access_key="s")
    assert s3mod.object_store(local, "bkt") is s3mod.object_store(local, "bkt")    # kept: one pool
    cfg = s3mod.object_store(local, "bkt").config
    assert cfg["region"] == "eu-central-1" and cfg["endpoint"] == local.meta.endpoint_url
    assert str(s3mod.object_store(local, "bkt").client_options["allow_http"]).lower() == "true"  # http:// only


def test_real_aws_endpoint_is_https_virtual_hosted(monkeypatch):
    for var in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    aws = s3mod.client("ap-south-1", access_key_id="k", secret_access_key="s")
    store = s3mod.object_store(aws, "plain-bucket")
    assert "endpoint" not in store.config and store.config["region"] == "ap-south-1"
    assert str(store.config.get("virtual_hosted_style_request")).lower() == "true"
    assert str(store.client_options["allow_http"]).lower() == "false"
    assert str(s3mod.object_store(aws, "dotted.bucket").config.get("virtual_hosted_style_request")).lower() == "false"


# -- byte for byte ---------------------------------------------------------------------------------
def test_many_small_objects_load_the_same_rows_as_one_object_and_as_local_files(table, s3, bucket, tmp_path):
    n, parts = 6000, 300
    whole = lines(0, n)
    s3.put_object(Bucket=bucket, Key="one/all.json", Body=whole)
    step = n // parts
    (tmp_path / "many").mkdir()
    for i in range(parts):
        part = lines(i * step, step)
        s3.put_object(Bucket=bucket, Key=f"many/p{i:04d}.json", Body=part)
        (tmp_path / "many" / f"p{i:04d}.json").write_bytes(part)
    s3.put_object(Bucket=bucket, Key="many/p9999-empty.json", Body=b"")           # an empty object
    assert copy(table, f"s3://{bucket}/one/").rows_loaded == n
    one = rows(table)
    table.cursor().execute("TRUNCATE t")
    assert copy(table, f"s3://{bucket}/many/").rows_loaded == n
    assert rows(table) == one
    table.cursor().execute("TRUNCATE t")
    assert copy(table, (tmp_path / "many").as_uri() + "/p").rows_loaded == n
    assert rows(table) == one == [(i, f"n{i:07d}") for i in range(n)]


def test_gzip_objects_stream_identically(table, s3, bucket):
    s3.put_object(Bucket=bucket, Key="g/a.json.gz", Body=gzip.compress(lines(0, 3000)))
    s3.put_object(Bucket=bucket, Key="g/b.json.gz", Body=gzip.compress(lines(3000, 3000)))
    assert copy(table, f"s3://{bucket}/g/", "IAM_ROLE default GZIP").rows_loaded == 6000
    assert rows(table) == [(i, f"n{i:07d}") for i in range(6000)]


@pytest.mark.parametrize("key", ["odd//double-slash.json", "odd/./dot.json", "odd/ctl\x01.json"])
def test_keys_obstore_cannot_name_are_read_through_boto3(table, s3, bucket, key):
    assert not s3mod.object_store_can_name(key)
    s3.put_object(Bucket=bucket, Key=key, Body=lines(0, 20))
    got = b"".join(sources._s3_chunks(s3mod.client(), sources.SourceFile(bucket, key), sources.CHUNK))
    assert got == lines(0, 20)


@pytest.mark.parametrize("key", ["plain/a.json", "sp ace/ü+é%20(1).json", "a*b~c!'.json"])
def test_keys_obstore_can_name_round_trip(s3, bucket, key):
    assert s3mod.object_store_can_name(key)
    s3.put_object(Bucket=bucket, Key=key, Body=b"x" * 70_000 + key.encode())
    got = b"".join(sources._s3_chunks(s3mod.client(), sources.SourceFile(bucket, key), sources.CHUNK))
    assert got == b"x" * 70_000 + key.encode()


def test_unsigned_client_falls_back_to_boto3(s3, bucket):
    s3.put_object(Bucket=bucket, Key="pub/a.json", Body=b"public", ACL="public-read")
    import boto3
    anonymous = boto3.client("s3", region_name="us-east-1", config=BotoConfig(signature_version=UNSIGNED))
    assert s3mod.object_store(anonymous, bucket) is None
    assert b"".join(sources._s3_chunks(anonymous, sources.SourceFile(bucket, "pub/a.json"), 1024)) == b"public"


def test_aws_ca_bundle_is_trusted_by_the_https_store_too(monkeypatch, tmp_path):
    import certifi
    for var in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    pem = tmp_path / "private-ca.pem"
    pem.write_bytes(open(certifi.where(), "rb").read())
    monkeypatch.setenv("AWS_CA_BUNDLE", str(pem))
    store = s3mod.object_store(s3mod.client("eu-north-1", access_key_id="k", secret_access_key="s"), "b1")
    trusted = store.client_options["root_certificate"]
    assert b"BEGIN CERTIFICATE" in (trusted if isinstance(trusted, bytes) else trusted.encode())
    monkeypatch.setenv("AWS_CA_BUNDLE", str(tmp_path / "missing.pem"))      # unreadable: boto3 reads bodies
    assert s3mod.object_store(s3mod.client("eu-north-1", access_key_id="k", secret_access_key="s"), "b1") is None


def test_etag_reported_is_the_listing_etag(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="e/a.json", Body=lines(0, 10))["ETag"]
    seen = []
    list(sources._s3_chunks(s3mod.client(), sources.SourceFile(bucket, "e/a.json"), sources.CHUNK, on_etag=seen.append))
    assert seen == [etag] == [s3.list_objects_v2(Bucket=bucket, Prefix="e/")["Contents"][0]["ETag"]]


def test_chunks_are_about_chunk_sized_and_complete(s3, bucket):
    data = bytes(range(256)) * 20_000                                  # 5 MB
    s3.put_object(Bucket=bucket, Key="big.bin", Body=data)
    parts = list(sources._s3_chunks(s3mod.client(), sources.SourceFile(bucket, "big.bin"), 1 << 20))
    assert b"".join(parts) == data
    assert all(len(p) >= 1 << 20 for p in parts[:-1]) and len(parts) <= 5


# -- failures keep their messages ------------------------------------------------------------------
@pytest.fixture
def faults(s3_endpoint, monkeypatch):
    p = FaultProxy(s3_endpoint).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", p.url)
    monkeypatch.setattr(sources, "RESUME_BACKOFF", 0.01)
    yield p
    p.stop()


def read(bucket, key, **kw) -> bytes:
    return b"".join(sources._s3_chunks(s3mod.client(), sources.SourceFile(bucket, key), sources.CHUNK, **kw))


def test_missing_object_and_bucket(s3, bucket):
    with pytest.raises(CopyError, match=rf"^S3 object does not exist: s3://{bucket}/nope.json$"):
        read(bucket, "nope.json")
    with pytest.raises(CopyError, match=r"^S3 bucket does not exist: s3://no-such-bucket-h1/x$"):
        read("no-such-bucket-h1", "x")


def test_forbidden_is_access_denied(s3, bucket, faults):
    s3.put_object(Bucket=bucket, Key="f/a.json", Body=b"{}")
    faults.fail("GET", "f/a.json", times=-1, status=403)
    with pytest.raises(CopyError, match=rf"^access denied to s3://{bucket}/f/a.json$"):
        read(bucket, "f/a.json")
    assert len(faults.gets("f/a.json")) == 1                     # not retried


def test_other_client_error_names_the_status(s3, bucket, faults):
    s3.put_object(Bucket=bucket, Key="f/a.json", Body=b"{}")
    faults.fail("GET", "f/a.json", times=-1, status=400)
    with pytest.raises(CopyError, match=rf"S3 error InternalError reading s3://{bucket}/f/a.json"):
        read(bucket, "f/a.json")


def test_redirect_to_another_region_is_read_through_boto3(s3, bucket, faults):
    s3.put_object(Bucket=bucket, Key="f/a.json", Body=b"elsewhere")
    faults.fail("GET", "f/a.json", times=1, status=301)           # S3's PermanentRedirect
    assert read(bucket, "f/a.json") == b"elsewhere"                # botocore follows region redirects
    assert [g.fault for g in faults.gets("f/a.json")] == ["301", None]


def test_503_is_retried_within_the_client_budget(s3, bucket, faults, monkeypatch):
    monkeypatch.setattr(s3mod, "RETRY_SETTINGS",
                        {**s3mod.RETRY_SETTINGS, "retries": {"max_attempts": 3, "mode": "standard"}})
    s3.put_object(Bucket=bucket, Key="f/a.json", Body=b"payload")
    faults.fail("GET", "f/a.json", times=3)
    assert read(bucket, "f/a.json") == b"payload"                 # 4 attempts allowed, 4th succeeds
    assert [g.fault for g in faults.gets("f/a.json")] == ["503", "503", "503", None]


def test_resume_after_every_chunk_boundary_is_exact(s3, bucket, faults):
    data = lines(0, 40_000)                                       # ~1.3 MB: two 1 MiB chunks
    s3.put_object(Bucket=bucket, Key="r/a.json", Body=data)
    faults.cut("r/a.json", after=(1 << 20) + 7, times=1)
    faults.cut("r/a.json", after=11, times=1, ranged=True)
    assert read(bucket, "r/a.json") == data
    gets = faults.gets("r/a.json")
    assert [g.range for g in gets] == [None, f"bytes={(1 << 20) + 7}-", f"bytes={(1 << 20) + 18}-"]


def test_object_replaced_between_resumes_is_refused(s3, bucket, faults):
    s3.put_object(Bucket=bucket, Key="r/a.json", Body=lines(0, 20_000))
    faults.cut("r/a.json", after=300_000, times=1,
               on_fire=lambda: s3.put_object(Bucket=bucket, Key="r/a.json", Body=lines(5, 20_000)))
    with pytest.raises(CopyError, match="changed while it was being read \\(resuming at byte 300000\\)"):
        read(bucket, "r/a.json")


def test_oversized_side_file_is_refused_before_its_body_is_read(s3, bucket):
    s3.put_object(Bucket=bucket, Key="m/big.manifest", Body=b" " * 5000)
    with pytest.raises(CopyError, match="is larger than 4096 bytes"):
        read(bucket, "m/big.manifest", limit=4096)


def test_credentials_never_appear_in_errors(s3, bucket, faults, monkeypatch):
    monkeypatch.setattr(s3mod, "RETRY_SETTINGS",
                        {**s3mod.RETRY_SETTINGS, "retries": {"max_attempts": 1, "mode": "standard"}})
    client = s3mod.client(None, access_key_id="AKIDSECRETISH", secret_access_key="very-secret-key",
                          session_token="very-secret-token")
    faults.fail("GET", "f/a.json", times=-1, status=500)
    with pytest.raises(CopyError) as err:
        b"".join(sources._s3_chunks(client, sources.SourceFile(bucket, "f/a.json"), 1024))
    text = str(err.value) + repr(err.value.__cause__) + repr(err.value.__context__)
    assert "very-secret" not in text and "AKIDSECRETISH" not in text and "InternalError" in str(err.value)
    assert len(faults.gets("f/a.json")) == 2
