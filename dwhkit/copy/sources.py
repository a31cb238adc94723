"""Where COPY's bytes come from: one ``Source`` per URL scheme (S3, local files), chosen once by
``source_for``; prefix and manifest listing; streamed, decompressed bodies.

Why a module of its own: Redshift's FROM semantics (a plain string prefix, not folder-aware;
manifests with ``mandatory``; duplicates load twice) are easy to get subtly wrong, and the load
must run in constant memory, so bodies are pulled in chunks and decompressed incrementally —
nothing here ever holds a whole object.
"""
from __future__ import annotations

import http.client
import io
import os
import random
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol
from urllib.parse import unquote, urlparse

import msgspec

from .. import s3 as s3mod
from .decompress import decompressed
from ..errors import CopyError

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


def _botocore():
    """botocore's exceptions, imported on first use: a COPY from local files never reaches S3
    code, and these imports (urllib3's with them) cost 0.08 s at every start."""
    import botocore.exceptions

    return botocore.exceptions


def _dropped() -> tuple:
    """What a dropped connection looks like from botocore/urllib3 while a body is being read."""
    import urllib3.exceptions

    return (_botocore().BotoCoreError, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)


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
    """Does this URL name local files (``file://``)? Anything else is read from S3."""
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


def _client_error(exc, what: str) -> CopyError:
    code = exc.response.get("Error", {}).get("Code", "")
    if code in ("NoSuchBucket",):
        return CopyError(f"S3 bucket does not exist: {what}")
    if code in ("NoSuchKey", "404", "NotFound"):
        return CopyError(f"S3 object does not exist: {what}")
    if code in ("AccessDenied", "403"):
        return CopyError(f"access denied to {what}")
    return CopyError(f"S3 error {code or exc} reading {what}")


def _backoff(attempt: int) -> float:
    return min(RESUME_BACKOFF_MAX, RESUME_BACKOFF * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)


# -- one GET, by either client: (ETag, object size, body chunks), failures normalised -------------
class _Dropped(Exception):
    """The connection failed before or while the body was read: resume from the offset."""


class _ServerBusy(Exception):
    """S3 answered 5xx / 429 / 408 (``code``): try again, within the client's retry budget."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class _Changed(Exception):
    """The object's ETag is no longer the one first read (412 on an ``If-Match`` resume)."""


class _PastEnd(Exception):
    """A resume asked for bytes past the end (416): the dropped read had got every byte."""


class _WrongRegion(Exception):
    """S3 redirected the request (the bucket lives in another region than the client's): botocore
    follows such redirects itself, so the object is read through it."""


def _open_boto(client, f: SourceFile, offset: int, etag: str | None, chunk: int):
    """The GET through botocore, which retries 5xx itself: keys obstore cannot name, or a client
    whose credentials cannot be handed over."""
    request = {"Bucket": f.bucket, "Key": f.key}
    if offset or etag:
        request["Range"] = f"bytes={offset}-"
        if etag:
            request["IfMatch"] = etag
    try:
        resp = client.get_object(**request)
    except _botocore().ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if etag and code in ("PreconditionFailed", "412"):
            raise _Changed() from None
        if etag and code in ("InvalidRange", "416"):
            raise _PastEnd() from None
        raise _client_error(exc, f.url) from None
    except _dropped() as exc:
        raise _Dropped(f"{type(exc).__name__}: {exc}") from None
    body = resp["Body"]

    def chunks():
        try:
            yield from body.iter_chunks(chunk)
        except _dropped() as exc:
            raise _Dropped(f"{type(exc).__name__}: {exc}") from None
    return resp.get("ETag"), resp.get("ContentLength", 0), chunks(), body.close


_STATUS = re.compile(r"non-2xx status code: (\d{3})")
_CODE = re.compile(r"<Code>([A-Za-z0-9.]{1,64})</Code>")


def _obstore_failure(exc: Exception, f: SourceFile, etag: str | None) -> Exception:
    """An obstore error as this module's kinds. obstore 0.12 reports the HTTP status and S3's XML
    error only in the message text, so both are read from there (the text holds the request URL,
    never credentials)."""
    text = str(exc)
    status = _STATUS.search(text)
    code = _CODE.search(text)
    code = code.group(1) if code else (status.group(1) if status else "")
    if status is None:
        if type(exc).__name__ in ("PermissionDeniedError", "UnauthenticatedError"):
            return CopyError(f"access denied to {f.url}")
        return _Dropped(text.split("\n", 1)[0])     # no HTTP answer: connection refused, reset, cut body
    n = int(status.group(1))
    if n in (301, 307) or code in ("PermanentRedirect", "TemporaryRedirect", "AuthorizationHeaderMalformed"):
        return _WrongRegion()
    if n == 404:
        return CopyError(f"S3 bucket does not exist: {f.url}" if code == "NoSuchBucket"
                         else f"S3 object does not exist: {f.url}")
    if n in (401, 403):
        return CopyError(f"access denied to {f.url}")
    if n == 412 and etag:
        return _Changed()
    if n == 416 and etag:
        return _PastEnd()
    if n >= 500 or n in (408, 429):
        return _ServerBusy(code)
    return CopyError(f"S3 error {code} reading {f.url}")


def _open_obstore(store, f: SourceFile, offset: int, etag: str | None, chunk: int):
    """The GET through obstore: the body in chunks of about ``chunk`` bytes, read without holding the GIL."""
    import obstore

    options: dict = {}
    if offset or etag:
        options["range"] = {"offset": offset}
        if etag:
            options["if_match"] = etag
    try:
        resp = obstore.get(store, f.key, options=options or None)
        meta = resp.meta
    except Exception as exc:  # noqa: BLE001 - every obstore error is classified, none passes silently
        raise _obstore_failure(exc, f, etag) from None

    def chunks():
        # Network pieces (mostly 64 KiB–1 MiB) are joined here rather than by obstore's
        # min_chunk_size, so the bytes already received are yielded before a failure is raised
        # and a resume starts at the exact byte where the connection died.
        held: list = []
        size = 0
        try:
            for piece in resp.stream(min_chunk_size=0):
                held.append(piece)
                size += len(piece)
                if size >= chunk:
                    yield held[0] if len(held) == 1 else b"".join(held)
                    held, size = [], 0
        except Exception as exc:  # noqa: BLE001 - as above
            failure = _obstore_failure(exc, f, etag)
            if held:
                yield b"".join(held)
            raise failure from None
        if held:
            yield b"".join(held)
    return meta.get("e_tag"), meta.get("size", 0), chunks(), lambda: None


def _opener(client, f: SourceFile):
    """obstore when it can name the key and sign as the client does; else botocore."""
    store = s3mod.object_store(client, f.bucket) if s3mod.object_store_can_name(f.key) else None
    if store is None:
        return _open_boto, client, 1            # botocore retries 5xx inside get_object
    return _open_obstore, store, s3mod.attempts(client)


def _s3_chunks(client, f: SourceFile, chunk: int, limit: int | None = None, on_etag=None) -> Iterator[bytes]:
    """The raw bytes of one S3 object, in order, each byte exactly once.

    A body read that fails midway is resumed from the byte offset already yielded (ranged GET,
    ``IfMatch`` the first ETag), with bounded, jittered exponential backoff; then a CopyError.
    5xx answers are retried up to the client's retry budget (``s3.RETRY_SETTINGS``)."""
    open_get, via, busy_attempts = _opener(client, f)
    offset = 0
    etag = None
    failures = 0            # drops in a row, without progress
    resumes = 0             # drops in all
    busy = 0                # 5xx answers in a row
    last_error: BaseException | None = None
    while True:
        close = None
        try:
            got_etag, size, body, close = open_get(via, f, offset, etag, chunk)
            busy = 0
            if etag is None:
                etag = got_etag
                if on_etag is not None and etag:
                    on_etag(etag)
                if limit is not None and (size or 0) > limit:
                    raise CopyError(f"{f.url} is larger than {limit} bytes; not a manifest/jsonpaths file")
            for part in body:
                if part:
                    offset += len(part)
                    failures = 0
                    yield part
            return
        except _Changed:
            raise CopyError(f"{f.url} changed while it was being read (resuming at byte {offset}); "
                            "nothing was loaded — run the COPY again") from None
        except _PastEnd:
            return          # the object ended exactly where the dropped read stopped
        except _WrongRegion:
            open_get, via, busy_attempts = _open_boto, client, 1
        except _ServerBusy as exc:
            busy += 1
            if busy >= busy_attempts:
                raise CopyError(f"S3 error {exc.code} reading {f.url} (after {busy} attempts)") from None
            time.sleep(_backoff(busy))
        except _Dropped as exc:
            last_error = exc
            failures += 1
            resumes += 1
            if failures > RESUME_ATTEMPTS or resumes > RESUME_TOTAL:
                raise CopyError(f"S3 read of {f.url} failed at byte {offset} after {resumes - 1} resumed "
                                f"read(s): {last_error}; nothing was loaded") from None
            time.sleep(_backoff(failures))
        finally:
            if close is not None:
                close()


# -- the Source protocol: chosen once per URL ----------------------------------------------------
class Source(Protocol):
    """Where one COPY's (or COPY JOB's) bytes come from. ``list``: every file whose name starts
    with the prefix string, sorted; ``read_small``: a whole manifest / jsonpaths file (bounded);
    ``raw_chunks``: a file's bytes as stored; ``random_access``: what pyarrow can seek in."""

    def list(self, url: str) -> list[SourceFile]: ...

    def size(self, url: str) -> int | None:
        """The size of one named file; CopyError(not found) when it does not exist."""

    def read_small(self, url: str) -> bytes: ...

    def raw_chunks(self, f: SourceFile, chunk: int = CHUNK) -> Iterator[bytes]: ...

    def random_access(self, f: SourceFile): ...


class _NotFound(CopyError):
    """A named file (manifest, manifest entry) does not exist."""


class LocalSource:
    """Files on this machine, ``file:///abs/path`` (see the local files section above)."""

    def list(self, url: str) -> list[SourceFile]:
        return _list_local(url)

    def size(self, url: str) -> int | None:
        path = _local_path(url)
        if not os.path.isfile(path):
            raise _NotFound(f"{url} does not exist")
        return os.path.getsize(path)

    def read_small(self, url: str) -> bytes:
        path = _local_path(url)
        try:
            if os.path.getsize(path) > SMALL_FILE_LIMIT:
                raise CopyError(f"{url} is larger than {SMALL_FILE_LIMIT} bytes; not a manifest/jsonpaths file")
            with open(path, "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise CopyError(f"cannot read {url}: {exc.strerror}") from None

    def file(self, url: str, size: int | None) -> SourceFile:
        return SourceFile("", _local_path(url), size)

    def raw_chunks(self, f: SourceFile, chunk: int = CHUNK) -> Iterator[bytes]:
        try:
            body = open(f.key, "rb")
        except OSError as exc:
            raise CopyError(f"cannot read {f.url}: {exc.strerror}") from None
        with body:
            yield from iter(lambda: body.read(chunk), b"")

    def random_access(self, f: SourceFile):
        return f.key


class S3Source:
    """Objects in S3. The boto3 client is built on first use (``client_factory``), so a COPY that
    fails before reading anything never builds one. With ``etags`` (a dict), the ETag of each
    object listed, or else first read, is noted under (bucket, key): COPY JOB's ledger keeps it."""

    def __init__(self, client=None, client_factory=None, etags: dict | None = None):
        self._client, self._factory, self.etags = client, client_factory, etags

    @property
    def client(self):
        if self._client is None:
            self._client = self._factory()
        return self._client

    def list(self, url: str) -> list[SourceFile]:
        """Every key that starts with the prefix string (``x`` matches ``x.1``, ``x.bak``,
        ``x_folder/a``), sorted by key (ListObjectsV2 already returns UTF-8 binary order).
        Zero-byte "folder marker" keys ending in '/' are skipped (they hold no data)."""
        bucket, prefix = s3mod.split_url(url)
        files: list[SourceFile] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                for obj in page.get("Contents", ()):
                    if obj["Key"].endswith("/") and obj.get("Size", 0) == 0:
                        continue
                    files.append(SourceFile(bucket, obj["Key"], obj.get("Size")))
                    if self.etags is not None and obj.get("ETag"):
                        self.etags.setdefault((bucket, obj["Key"]), obj["ETag"])
        except _botocore().ClientError as exc:
            raise _client_error(exc, url) from None
        if not files:
            raise CopyError(f"The specified S3 prefix '{url}' does not exist (no key starts with it)")
        files.sort(key=lambda f: f.key.encode())
        return files

    def size(self, url: str) -> int | None:
        bucket, key = s3mod.split_url(url)
        try:
            return self.client.head_object(Bucket=bucket, Key=key).get("ContentLength")
        except _botocore().ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("404", "NoSuchKey", "NotFound", "NoSuchBucket"):
                raise _NotFound(f"{url} does not exist") from None
            raise _client_error(exc, url) from None

    def read_small(self, url: str) -> bytes:
        bucket, key = s3mod.split_url(url)
        return b"".join(_s3_chunks(self.client, SourceFile(bucket, key), CHUNK, limit=SMALL_FILE_LIMIT))

    def file(self, url: str, size: int | None) -> SourceFile:
        return SourceFile(*s3mod.split_url(url), size)

    def raw_chunks(self, f: SourceFile, chunk: int = CHUNK) -> Iterator[bytes]:
        if self.etags is None:
            yield from _s3_chunks(self.client, f, chunk)
        else:
            yield from _s3_chunks(self.client, f, chunk, on_etag=lambda e: self.etags.setdefault((f.bucket, f.key), e))

    def random_access(self, f: SourceFile):
        size = f.size
        if size is None:
            size = self.client.head_object(Bucket=f.bucket, Key=f.key)["ContentLength"]
        return _S3RangeFile(self.client, f.bucket, f.key, size)


def source_for(url: str, cmd=None, client=None, etags: dict | None = None) -> Source:
    """The Source for ``url``, chosen once by its scheme: ``file://`` → LocalSource, else S3 (with
    ``client`` when given, else the process's shared client for ``cmd``'s region and keys)."""
    if is_local(url):
        return LocalSource()
    if client is not None:
        return S3Source(client, etags=etags)
    return S3Source(client_factory=lambda: shared_client(cmd), etags=etags)


class PinnedSource:
    """A Source whose listing shows only ``files`` (those under the prefix asked for); reads go
    to ``inner``. A COPY JOB loads one file, in its own transaction, with the job's own COPY."""

    def __init__(self, inner: Source, files: list[SourceFile]):
        self.inner, self.files = inner, files

    def list(self, url: str) -> list[SourceFile]:
        if is_local(url):
            prefix = _local_path(url)
            return [f for f in self.files if f.local and f.key.startswith(prefix)]
        bucket, prefix = s3mod.split_url(url)
        return [f for f in self.files if f.bucket == bucket and f.key.startswith(prefix)]

    def __getattr__(self, name):
        return getattr(self.inner, name)


_CLIENTS: dict = {}
_CLIENTS_LOCK = threading.Lock()


def shared_client(cmd):
    """The boto3 client for ``cmd``'s region, keys and endpoint, shared by every COPY with the
    same ones (creating one costs ~0.1 s; boto3 clients are thread-safe)."""
    cred = cmd.credentials
    key = (cmd.region, cred.access_key_id, cred.secret_access_key, cred.session_token,
           *(os.environ.get(k) for k in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
                                         "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                                         "AWS_DEFAULT_REGION")))
    with _CLIENTS_LOCK:             # boto3 sessions are not safe to build clients concurrently
        client = _CLIENTS.get(key)
        if client is None:
            if len(_CLIENTS) > 8:
                _CLIENTS.clear()
            client = _CLIENTS[key] = make_client(cmd)
    return client


def list_manifest(source: Source, url: str) -> list[SourceFile]:
    """Entries of a MANIFEST in order; duplicates kept (they load twice, as on Redshift).

    A missing ``mandatory`` entry fails the COPY; a missing optional one is skipped; an empty
    result also fails. FROM must name the manifest file itself (a prefix → error 8001). Entries
    are read through the same source as the manifest (an S3 manifest lists s3:// URLs, a local
    one file:// URLs)."""
    try:
        source.size(url)
    except _NotFound:
        where = "a file" if isinstance(source, LocalSource) else "an S3 object"
        raise CopyError(f"Manifest file is not found (8001): {url} must be the full path of {where}") from None
    entries = _manifest_entries(source.read_small(url), url)
    files: list[SourceFile] = []
    for entry_url, mandatory in entries:
        if is_local(entry_url) != isinstance(source, LocalSource):
            raise CopyError(f"Manifest {url}: entry {entry_url} is not on the manifest's file system "
                            "(an s3:// manifest lists s3:// URLs, a file:// one file:// URLs)")
        try:
            files.append(source.file(entry_url, source.size(entry_url)))
        except _NotFound:
            if mandatory:
                raise CopyError(f"Manifest {url}: mandatory file {entry_url} was not found (1212)") from None
    if not files:
        raise CopyError(f"Manifest {url} lists no file that exists; nothing to load")
    return files


def _manifest_entries(raw: bytes, url: str) -> list[tuple[str, bool]]:
    """(url, mandatory) of each entry of a manifest document, checked."""
    try:
        doc = msgspec.json.decode(raw)
        entries = doc["entries"]
        if not isinstance(entries, list):
            raise TypeError
    except Exception:
        raise CopyError(f"Manifest {url} is malformed: expected {{\"entries\": [{{\"url\": ..., \"mandatory\": ...}}]}}") from None
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            raise CopyError(f"Manifest {url}: entry {i} has no \"url\" string")
        mandatory = entry.get("mandatory", False)
        if not isinstance(mandatory, bool):
            raise CopyError(f"Manifest {url}: entry {i} \"mandatory\" must be true or false")
        out.append((entry["url"], mandatory))
    return out


def stream(source: Source, f: SourceFile, compression: str | None, chunk: int = CHUNK) -> Iterator[bytes]:
    """Yield the file's (decompressed) bytes in chunks; memory stays O(chunk) whatever the
    compression ratio.

    An S3 body whose connection drops midway is resumed where it stopped (``_s3_chunks``); a
    compressed object that ends inside a member/frame is an error, never a silent short load."""
    return decompressed(source.raw_chunks(f, chunk), compression, f.url, chunk)


class _S3RangeFile(io.RawIOBase):
    """A seekable file over S3 Range GETs: pyarrow reads a Parquet footer, then column chunks."""

    def __init__(self, client, bucket, key, size):
        self.client, self.bucket, self.key, self.size, self.pos = client, bucket, key, size, 0

    def seekable(self):
        return True

    def readable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=0):
        self.pos = offset if whence == 0 else self.pos + offset if whence == 1 else self.size + offset
        return self.pos

    def read(self, n=-1):
        if n is None or n < 0:
            n = self.size - self.pos
        if n <= 0 or self.pos >= self.size:
            return b""
        end = min(self.pos + n, self.size) - 1
        body = self.client.get_object(Bucket=self.bucket, Key=self.key, Range=f"bytes={self.pos}-{end}")["Body"]
        data = body.read()
        self.pos += len(data)
        return data

    def readinto(self, b):
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)
