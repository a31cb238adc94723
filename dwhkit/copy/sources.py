"""Where COPY's bytes come from: S3 key listing (prefix or manifest) and streamed, decompressed bodies.

Why a module of its own: Redshift's FROM semantics (a plain string prefix, not folder-aware;
manifests with ``mandatory``; duplicates load twice) are easy to get subtly wrong, and the load
must run in constant memory, so bodies are pulled in chunks and decompressed incrementally —
nothing here ever holds a whole object.
"""
from __future__ import annotations

import bz2
import http.client
import os
import random
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlparse

import msgspec
import urllib3.exceptions
from botocore.exceptions import BotoCoreError, ClientError

from .. import s3 as s3mod
from ..errors import CopyError, UnsupportedError

CHUNK = 1 << 20          # 1 MiB reads from the S3 body
SMALL_FILE_LIMIT = 16 << 20   # manifests / jsonpaths files are read whole, but never more than this

# A body read that dies midway (botocore retries requests, not a body already streaming) is
# resumed with a ranged GET from the byte offset already consumed, pinned to the first
# response's ETag so a changed object cannot be spliced. RESUME_ATTEMPTS failures in a row with
# no progress in between (or RESUME_TOTAL in all) give up with a CopyError naming the object.
RESUME_ATTEMPTS = 5
RESUME_TOTAL = 100
RESUME_BACKOFF = 0.2      # seconds before the first resume; doubled each time, capped, jittered
RESUME_BACKOFF_MAX = 5.0
# What a dropped connection looks like from botocore/urllib3 while a body is being read.
_DROPPED = (BotoCoreError, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)


@dataclass(frozen=True)
class SourceFile:
    """One object to load. ``url`` is what stl_load_errors/stl_load_commits call ``filename``.

    ``bucket`` is empty for a local file (``key`` is then its absolute path)."""

    bucket: str
    key: str
    size: int | None = None

    @property
    def local(self) -> bool:
        return not self.bucket

    @property
    def url(self) -> str:
        return Path(self.key).as_uri() if self.local else f"s3://{self.bucket}/{self.key}"


# -- local files ----------------------------------------------------------------------------------
# An extension of Postgres targets, so a laptop or a test can load a folder without S3: FROM
# 'file:///abs/prefix' has S3's prefix semantics over the file tree (a path string prefix, not
# folder-aware). Redshift itself reads only S3, so a warehouse bound for Redshift uses s3:// URLs.

def is_local(url: str) -> bool:
    return url.startswith("file://")


def _local_path(url: str) -> str:
    parsed = urlparse(url)
    if parsed.netloc not in ("", "localhost"):
        raise CopyError(f"not a local file URL: {url!r} (expected file:///absolute/path)")
    return unquote(parsed.path)


def _list_local(url: str) -> list[SourceFile]:
    prefix = _local_path(url)
    root = prefix if prefix.endswith("/") else os.path.dirname(prefix) or "/"
    files = []
    if os.path.isdir(root):
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                if path.startswith(prefix) and os.path.isfile(path):
                    files.append(SourceFile("", path, os.path.getsize(path)))
    if not files:
        raise CopyError(f"The specified prefix '{url}' does not exist (no file starts with it)")
    files.sort(key=lambda f: f.key.encode())
    return files


def make_client(cmd):
    """A boto3 client honouring the statement's REGION and explicit keys (never logged)."""
    cred = cmd.credentials
    return s3mod.client(cmd.region, access_key_id=cred.access_key_id,
                        secret_access_key=cred.secret_access_key, session_token=cred.session_token)


def _client_error(exc: ClientError, what: str) -> CopyError:
    code = exc.response.get("Error", {}).get("Code", "")
    if code in ("NoSuchBucket",):
        return CopyError(f"S3 bucket does not exist: {what}")
    if code in ("NoSuchKey", "404", "NotFound"):
        return CopyError(f"S3 object does not exist: {what}")
    if code in ("AccessDenied", "403"):
        return CopyError(f"access denied to {what}")
    return CopyError(f"S3 error {code or exc} reading {what}")


def list_prefix(client, url: str) -> list[SourceFile]:
    """Every key that starts with the prefix string (``x`` matches ``x.1``, ``x.bak``,
    ``x_folder/a``), sorted by key. S3 ListObjectsV2 already returns keys in UTF-8 binary order.
    Zero-byte "folder marker" keys ending in '/' are skipped (they hold no data)."""
    if is_local(url):
        return _list_local(url)
    bucket, prefix = s3mod.split_url(url)
    files: list[SourceFile] = []
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", ()):
                if obj["Key"].endswith("/") and obj.get("Size", 0) == 0:
                    continue
                files.append(SourceFile(bucket, obj["Key"], obj.get("Size")))
    except ClientError as exc:
        raise _client_error(exc, url) from None
    if not files:
        raise CopyError(f"The specified S3 prefix '{url}' does not exist (no key starts with it)")
    files.sort(key=lambda f: f.key.encode())
    return files


def read_small(client, url: str) -> bytes:
    """A whole small object (manifest, jsonpaths file), bounded so a wrong URL cannot eat memory."""
    if is_local(url):
        path = _local_path(url)
        try:
            if os.path.getsize(path) > SMALL_FILE_LIMIT:
                raise CopyError(f"{url} is larger than {SMALL_FILE_LIMIT} bytes; not a manifest/jsonpaths file")
            with open(path, "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise CopyError(f"cannot read {url}: {exc.strerror}") from None
    bucket, key = s3mod.split_url(url)
    return b"".join(_s3_chunks(client, SourceFile(bucket, key), CHUNK, limit=SMALL_FILE_LIMIT))


def list_manifest(client, url: str) -> list[SourceFile]:
    """Entries of a MANIFEST in order; duplicates kept (they load twice, as on Redshift).

    A missing ``mandatory`` entry fails the COPY; a missing optional one is skipped; an empty
    result also fails. FROM must name the manifest object itself (a prefix → error 8001)."""
    bucket, key = s3mod.split_url(url)
    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("404", "NoSuchKey", "NotFound"):
            raise CopyError(f"Manifest file is not found (8001): {url} must be the full path of an S3 object") from None
        raise _client_error(exc, url) from None
    raw = read_small(client, url)
    try:
        doc = msgspec.json.decode(raw)
        entries = doc["entries"]
        if not isinstance(entries, list):
            raise TypeError
    except Exception:
        raise CopyError(f"Manifest {url} is malformed: expected {{\"entries\": [{{\"url\": ..., \"mandatory\": ...}}]}}") from None
    files: list[SourceFile] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise CopyError(f"Manifest {url}: entry {i} has no \"url\" string")
        mandatory = entry.get("mandatory", False)
        if not isinstance(mandatory, bool):
            raise CopyError(f"Manifest {url}: entry {i} \"mandatory\" must be true or false")
        ebucket, ekey = s3mod.split_url(entry["url"])
        try:
            head = client.head_object(Bucket=ebucket, Key=ekey)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("404", "NoSuchKey", "NotFound", "NoSuchBucket"):
                if mandatory:
                    raise CopyError(f"Manifest {url}: mandatory file {entry['url']} was not found (1212)") from None
                continue
            raise _client_error(exc, entry["url"]) from None
        files.append(SourceFile(ebucket, ekey, head.get("ContentLength")))
    if not files:
        raise CopyError(f"Manifest {url} lists no file that exists; nothing to load")
    return files


OUT_MAX = CHUNK            # at most this many decompressed bytes per decompressor call
ZSTD_SLICE = 256          # zstd input fed per call: even ~32768:1 input (RLE blocks) yields ≤ 8 MiB


class _Multi:
    """Incremental decompressor that follows concatenated members/streams (``cat a.gz b.gz``)
    and never produces more than about ``OUT_MAX`` bytes per call, whatever the compression ratio
    (a 26 MB gzip can hold 10 GiB): zlib and bz2 take ``max_length``; python-zstandard's
    decompressobj has no such argument, so it is fed ``ZSTD_SLICE`` bytes at a time.

    ``complete`` is False when the input stopped inside a member (a truncated object): the
    decompressors would otherwise just return what they had, silently dropping the tail."""

    def __init__(self, factory, kind: str):
        self._factory = factory
        self._kind = kind
        self._d = factory()
        self._fed = False           # the current member has received input

    def _next_member(self, rest) -> bytes:
        self._d = self._factory()
        self._fed = False
        return bytes(rest)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Yield the output for ``data`` in pieces of at most ~OUT_MAX bytes."""
        kind = self._kind
        while data:
            self._fed = True
            d = self._d
            if kind == "ZSTD":
                view = memoryview(data)
                for i in range(0, len(view), ZSTD_SLICE):
                    out = d.decompress(view[i:i + ZSTD_SLICE])
                    if out:
                        yield out
                    if d.eof:
                        data = self._next_member(d.unused_data + bytes(view[i + ZSTD_SLICE:]))
                        break
                else:
                    data = b""
                continue
            out = d.decompress(data, OUT_MAX)
            if out:
                yield out
            if kind == "BZIP2":
                while not d.eof and not d.needs_input:
                    out = d.decompress(b"", OUT_MAX)
                    if out:
                        yield out
                data = self._next_member(d.unused_data) if d.eof else b""
            elif d.eof:
                data = self._next_member(d.unused_data)
            else:                           # zlib: input left over because max_length was hit
                data = d.unconsumed_tail
                while not data and len(out) == OUT_MAX:
                    out = d.decompress(b"", OUT_MAX)   # output still pending inside zlib
                    if out:
                        yield out
                    data = d.unconsumed_tail
                    if d.eof:
                        data = self._next_member(d.unused_data)
                        break

    @property
    def complete(self) -> bool:
        return not self._fed or self._d.eof


def _decompressor(compression: str | None):
    comp = (compression or "").upper()
    if not comp:
        return None
    if comp == "GZIP":
        return _Multi(lambda: zlib.decompressobj(wbits=47), "GZIP")   # 32+15: gzip or zlib header
    if comp == "BZIP2":
        return _Multi(bz2.BZ2Decompressor, "BZIP2")
    if comp == "ZSTD":
        import zstandard
        dctx = zstandard.ZstdDecompressor()
        return _Multi(dctx.decompressobj, "ZSTD")
    if comp == "LZOP":
        raise UnsupportedError("COPY ... LZOP is not supported by dwhkit (no maintained Python LZO codec); "
                               "recompress the files with GZIP, BZIP2 or ZSTD")
    raise UnsupportedError(f"unknown compression {compression!r}")


def check_compression(compression: str | None) -> None:
    """Fail before any S3 traffic when the compression cannot be handled."""
    _decompressor(compression)


def _backoff(attempt: int) -> float:
    return min(RESUME_BACKOFF_MAX, RESUME_BACKOFF * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)


def _s3_chunks(client, f: SourceFile, chunk: int, limit: int | None = None) -> Iterator[bytes]:
    """The raw bytes of one S3 object, in order, each byte exactly once.

    A body read that fails midway is resumed from the byte offset already yielded (ranged GET,
    ``IfMatch`` the first ETag), with bounded, jittered exponential backoff; then a CopyError."""
    offset = 0
    etag = None
    failures = 0            # in a row, without progress
    resumes = 0             # in all
    last_error: BaseException | None = None
    while True:
        request = {"Bucket": f.bucket, "Key": f.key}
        if offset or etag:
            request["Range"] = f"bytes={offset}-"
            if etag:
                request["IfMatch"] = etag
        body = None
        try:
            try:
                resp = client.get_object(**request)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if etag and code in ("PreconditionFailed", "412"):
                    raise CopyError(f"{f.url} changed while it was being read (resuming at byte {offset}); "
                                    "nothing was loaded — run the COPY again") from None
                if etag and code in ("InvalidRange", "416"):
                    return          # the object ended exactly where the dropped read stopped
                raise _client_error(exc, f.url) from None
            if etag is None:
                etag = resp.get("ETag")
                if limit is not None and resp.get("ContentLength", 0) > limit:
                    raise CopyError(f"{f.url} is larger than {limit} bytes; not a manifest/jsonpaths file")
            body = resp["Body"]
            for part in body.iter_chunks(chunk):
                if part:
                    offset += len(part)
                    failures = 0
                    yield part
            return
        except _DROPPED as exc:
            last_error = exc
            failures += 1
            resumes += 1
            if failures > RESUME_ATTEMPTS or resumes > RESUME_TOTAL:
                raise CopyError(f"S3 read of {f.url} failed at byte {offset} after {resumes - 1} resumed "
                                f"read(s): {type(last_error).__name__}: {last_error}; nothing was loaded") from None
            time.sleep(_backoff(failures))
        finally:
            if body is not None:
                body.close()


def raw_chunks(client, f: SourceFile, chunk: int = CHUNK) -> Iterator[bytes]:
    """The object's bytes as stored (still compressed), in chunks."""
    if f.local:
        try:
            body = open(f.key, "rb")
        except OSError as exc:
            raise CopyError(f"cannot read {f.url}: {exc.strerror}") from None
        with body:
            yield from iter(lambda: body.read(chunk), b"")
        return
    yield from _s3_chunks(client, f, chunk)


def decompressed(parts, compression: str | None, url: str, chunk: int = CHUNK) -> Iterator[bytes]:
    """Decompress ``parts`` incrementally into pieces of about ``chunk`` bytes (never much more,
    whatever the ratio: see ``_Multi``). A stream that ends inside a member is an error."""
    dec = _decompressor(compression)
    if dec is None:
        yield from parts
        return
    buf: list[bytes] = []
    size = 0
    try:
        for part in parts:
            try:
                for out in dec.feed(part):
                    buf.append(out)
                    size += len(out)
                    if size >= chunk:
                        yield b"".join(buf)
                        buf, size = [], 0
            except Exception as exc:    # noqa: BLE001 - zlib.error, OSError (bz2), ZstdError
                raise CopyError(f"{url}: cannot decompress as {compression}: {exc}") from None
    finally:
        close = getattr(parts, "close", None)
        if close is not None:
            close()
    if buf:
        yield b"".join(buf)
    if not dec.complete:
        raise CopyError(f"{url}: the {compression} stream is truncated (the object ends inside a "
                        f"compressed member); nothing was loaded")


def stream(client, f: SourceFile, compression: str | None, chunk: int = CHUNK) -> Iterator[bytes]:
    """Yield the object's (decompressed) bytes in chunks; memory stays O(chunk) whatever the
    compression ratio.

    An S3 body whose connection drops midway is resumed where it stopped (``_s3_chunks``); a
    compressed object that ends inside a member/frame is an error, never a silent short load."""
    return decompressed(raw_chunks(client, f, chunk), compression, f.url, chunk)
