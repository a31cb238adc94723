"""Which bytes of which file, when: one COPY's files read in order, small ones fetched ahead.

Why a collaborator of its own: how many requests are in flight and what is held whole versus
decompressed as it is parsed decides both speed on many small objects and the memory bound on
large or highly compressed ones; the parsers only see chunks in file order.
"""
from __future__ import annotations

import os

from ..errors import CopyInterrupted
from . import sources
from .decompress import decompressed
from .formats import utf8_chunks
from .streams import readahead, rechunk

PREFETCH_MAX = 8 << 20          # objects up to this size are fetched whole, ahead, by the worker pool


def copy_workers() -> int:
    """Concurrent object fetches per COPY: ``DWH_COPY_WORKERS``, default 2 × cores (at most 16)."""
    env = os.environ.get("DWH_COPY_WORKERS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    return min(16, 2 * (os.cpu_count() or 1))


class Fetcher:
    """The files of one COPY from one Source. ``cancel`` (an Event) stops every read within one
    chunk of work; ``streamed`` is False for formats that read files themselves (Parquet)."""

    def __init__(self, source, files, cmd, cancel, table_name: str, streamed: bool, workers: int | None = None):
        self.source, self.files, self.cmd, self.cancel = source, files, cmd, cancel
        self.table_name, self.streamed = table_name, streamed
        self.workers = copy_workers() if workers is None else workers

    def checked(self, chunks):
        """Pass chunks through, stopping with CopyInterrupted once the COPY is cancelled (the
        producer and reader threads notice within one chunk of work)."""
        cancel = self.cancel
        for chunk in chunks:
            if cancel.is_set():
                raise CopyInterrupted(f"COPY into {self.table_name} was cancelled")
            yield chunk

    def _small(self, f) -> bool:
        return self.streamed and f.size is not None and f.size <= PREFETCH_MAX and self.workers > 1

    def _fetch(self, f):
        """(raw bytes, decompressed pieces or None when too big to hold whole)."""
        raw = b"".join(self.checked(self.source.raw_chunks(f)))
        if not self.cmd.compression:
            return raw, [raw]
        out, size = [], 0
        for piece in decompressed(rechunk(raw), self.cmd.compression, f.url):
            size += len(piece)
            if size > PREFETCH_MAX:
                return raw, None            # too big to hold whole: decompress as it is parsed
            out.append(piece)
        return raw, out

    def _streamed(self, f):
        raw = self.checked(sources.stream(self.source, f, self.cmd.compression))
        return utf8_chunks(readahead(raw) if self.workers > 1 else raw, self.cmd.encoding)

    def __iter__(self):
        """(file, UTF-8 chunk iterator, whole bytes or None) in file order. Files of known size up
        to PREFETCH_MAX are fetched whole (still compressed) by a pool of ``workers`` threads
        ahead of the one being parsed, so a prefix of many small objects is not bound by one
        request's latency; one whose decompressed bytes also fit PREFETCH_MAX is handed over
        whole, any other is decompressed as it is parsed (a 1 MB bzip2 may hold gigabytes).
        Larger files stream. Memory: at most ``2 * workers`` × PREFETCH_MAX ahead."""
        if self.workers <= 1 or not any(self._small(f) for f in self.files):
            for f in self.files:
                yield f, self._streamed(f), None
            return
        from concurrent.futures import ThreadPoolExecutor
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="dwhkit-copy-fetch")
        ahead: dict[int, object] = {}
        try:
            yield from self._prefetched(pool, ahead)
        finally:
            for fut in ahead.values():
                fut.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    def _prefetched(self, pool, ahead):
        files, nxt = self.files, 0
        for i, f in enumerate(files):
            while nxt < len(files) and nxt < i + 2 * self.workers:
                if self._small(files[nxt]):
                    ahead[nxt] = pool.submit(self._fetch, files[nxt])
                nxt += 1
            fut = ahead.pop(i, None)
            if fut is None:
                yield f, self._streamed(f), None
                continue
            raw, pieces = fut.result()
            if pieces is None:
                chunks = self.checked(decompressed(rechunk(raw), self.cmd.compression, f.url))
                del raw
                yield f, utf8_chunks(chunks, self.cmd.encoding), None
                continue
            del raw
            whole = b"".join(utf8_chunks(iter(pieces), self.cmd.encoding))
            del pieces
            yield f, iter((whole,)), whole
