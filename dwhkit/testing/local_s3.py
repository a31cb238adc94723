"""The S3 that tests' COPY and UNLOAD reach: moto's server on 127.0.0.1, or real S3 on a cluster run.

Why moto in server mode (not its in-process mock): dwhkit reaches S3 through boto3 over HTTP,
the same code path as real S3, and the server is found through ``AWS_ENDPOINT_URL_S3`` — which
boto3 reads in every client, including the ones dwhkit's COPY makes."""
from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path, PurePosixPath

MISSING_SERVER = ("the redshift_s3 fixture runs moto's S3 server, which dwhkit installs with it; "
                  "it is missing here ({error}). Reinstall dwhkit (`pip install dwhkit`) or install "
                  "`moto[s3]` and `flask-cors` yourself.")
ENV_KEYS = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_PROFILE")
# A role ARN for COPY/UNLOAD's IAM_ROLE clause in local runs: dwhkit accepts it and uses the
# process's (fake) credentials; on a cluster run the configured [IAM_ROLE] arn is used instead.
LOCAL_IAM_ROLE = "arn:aws:iam::123456789012:role/dwhkit-test"


def _cache_moto_module_list() -> None:
    """moto's server (5.x) lists its own package folder, ``isdir`` on each of ~150 entries, on every
    request, under the lock that serialises its request threads. The list never changes while
    it runs; kept once, moto's CPU per S3 GET fell from 1.8 ms to 1.1 ms (1,000 GETs of 87 KiB,
    measured in bench/), and so did the time tests and benchmarks spend waiting for it."""
    try:
        from moto import backends
    except ImportError:  # pragma: no cover - depends on the installation
        return
    listing = getattr(backends, "list_of_moto_modules", None)
    if listing is None or getattr(listing, "kept", False):
        return
    modules = tuple(listing())

    def kept():
        return iter(modules)
    kept.kept = True
    backends.list_of_moto_modules = kept


def free_port() -> int:
    """A loopback port nothing listens on now (for the moto server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def moto_server(port: int):
    """moto's threaded S3 server for 127.0.0.1:``port``, not yet started."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError(MISSING_SERVER.format(error=exc)) from None
    _cache_moto_module_list()
    return ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)


class MotoServer:
    """moto's S3 server on a free loopback port, with the environment pointing boto3 at it."""

    def __init__(self):
        self.port = free_port()
        self._server = moto_server(self.port)
        self._saved: dict[str, str | None] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "MotoServer":
        self._server.start()
        self._saved = {k: os.environ.get(k) for k in ENV_KEYS}
        for k in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
            os.environ.pop(k, None)
        # Fake keys: a developer's real AWS credentials must never be sent, not even to loopback.
        os.environ.update({"AWS_ENDPOINT_URL_S3": self.url, "AWS_ACCESS_KEY_ID": "testing",
                           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"})
        return self

    def stop(self) -> None:
        self._server.stop()
        for k, v in self._saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class S3Bucket:
    """What a test sees as ``redshift_s3``: a bucket, a boto3 client, and ``put``.

    ``prefix`` is empty locally (a fresh bucket per test); on a cluster run the bucket is the
    configured one and each test writes under its own prefix — ``url(key)`` gives the s3:// URL
    either way, so one test works on both."""

    def __init__(self, client, bucket: str, prefix: str = "", iam_role: str = LOCAL_IAM_ROLE):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.iam_role = iam_role

    def key(self, key: str) -> str:
        return self.prefix + key.lstrip("/")

    def url(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{self.key(key)}"

    def put(self, key: str, data: bytes | str | os.PathLike) -> list[str]:
        """Upload bytes, text (UTF-8) or a file; a folder uploads every file under it recursively,
        each at ``key/<relative path>``. Returns the keys written."""
        if isinstance(data, os.PathLike):
            path = Path(data)
            if path.is_dir():
                written = []
                for file in sorted(p for p in path.rglob("*") if p.is_file()):
                    rel = PurePosixPath(*file.relative_to(path).parts)
                    written += self.put(f"{key.rstrip('/')}/{rel}" if key else str(rel), file)
                return written
            body = path.read_bytes()
        elif isinstance(data, str):
            body = data.encode("utf-8")
        elif isinstance(data, (bytes, bytearray, memoryview)):
            body = bytes(data)
        else:
            raise TypeError(f"redshift_s3.put takes bytes, str or a pathlib.Path, not {type(data).__name__}")
        self.client.put_object(Bucket=self.bucket, Key=self.key(key), Body=body)
        return [self.key(key)]

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self.key(key))["Body"].read()

    def keys(self, prefix: str = "") -> list[str]:
        """Keys under ``prefix`` (relative to this test's prefix), as ``put`` would name them."""
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                          Prefix=self.key(prefix)):
            found += [o["Key"][len(self.prefix):] for o in page.get("Contents", [])]
        return sorted(found)

    def empty(self) -> None:
        """Delete everything this test wrote (under its prefix)."""
        keys = [self.key(k) for k in self.keys()]
        for i in range(0, len(keys), 1000):
            self.client.delete_objects(Bucket=self.bucket,
                                       Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]]})

    def __repr__(self) -> str:
        return f"<redshift_s3 {self.url()}>"


def fresh_bucket_name() -> str:
    return f"dwhkit-test-{uuid.uuid4().hex[:16]}"


def main(argv: list[str] | None = None) -> None:
    """``python -m dwhkit.testing.local_s3 -H 127.0.0.1 -p PORT``: moto's server as a process of its
    own (the benchmarks measure its CPU apart), with the module list kept as above."""
    import logging
    import sys

    from moto.server import main as moto_main

    _cache_moto_module_list()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)      # a log line per request otherwise
    moto_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
