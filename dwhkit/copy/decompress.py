"""Incremental decompression of COPY input (GZIP, BZIP2, ZSTD), bounded whatever the ratio.

Why a module of its own: a 26 MB gzip can hold 10 GiB; every decompressor here yields pieces of
about ``OUT_MAX`` bytes, follows concatenated members (``cat a.gz b.gz``) and reports a stream
that ends inside a member, so a truncated object is an error, never a silently short load.
"""
from __future__ import annotations

import bz2
import zlib
from typing import Iterator

from ..errors import CopyError, UnsupportedError

CHUNK = 1 << 20

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
