"""Threads and buffers between the sources, the parser and the sink.

Why a module of its own: the loader's logic (formats, checks, errors) should not be tangled with
how bytes move — read-ahead of streamed files, a bounded producer queue feeding the sink's
``write``, and the file-like object the driver pulls COPY data from. Memory is bounded by the queue depths.
"""
from __future__ import annotations

import queue
import threading

from ..errors import CopyInterrupted
from . import sources
from .fastpath import BINARY_HEADER, BINARY_TRAILER

QUEUE_DEPTH = 4                 # blocks (≈1 MiB of input each) between the parser and COPY
READAHEAD = 4                   # chunks (1 MiB) a streamed file is read ahead of the parser

END = object()                  # the producer has no more items
STOP_TIMEOUT = 10.0             # seconds to wait for a cancelled producer thread


class Feed:
    """File-like object for one ``CopySink.write``: ``read()`` returns the next block of COPY data of
    this statement's kind ('text' or 'bin') from the producer's queue. The statement ends when the
    producer switches kind (the item is kept for the next statement) or finishes.

    An exception raised while producing rows is stashed and the stream ended, rather than raised
    through the driver, so the caller always sees our own error (and then rolls the savepoint back)."""

    def __init__(self, take, first):
        self._take = take
        self.kind = first[0]
        self._pending = [BINARY_HEADER + first[1] if self.kind == "bin" else first[1]]
        self.next = None            # the item that starts the next statement, or None at the end
        self.error: BaseException | None = None
        self._done = False

    def read(self, size=-1):
        if self._pending:
            return self._pending.pop()
        if self._done:
            return b""
        item = self._take()
        if item is END or item[0] == "error" or item[0] != self.kind:
            self._done = True
            if item is not END and item[0] == "error":
                self.error = item[1]
            elif item is not END:
                self.next = item
            return BINARY_TRAILER if self.kind == "bin" else b""
        return item[1]

    readline = read



class Producer:
    """Runs a generator in a daemon thread, handing its items over a small bounded queue (memory:
    at most QUEUE_DEPTH blocks in flight). ``stop()`` makes the thread give up at its next put."""

    def __init__(self, gen):
        self._q: queue.Queue = queue.Queue(maxsize=QUEUE_DEPTH)
        self._stop = threading.Event()
        self._gen = gen
        self._thread = threading.Thread(target=self._run, name="dwhkit-copy-producer", daemon=True)
        self._thread.start()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self):
        try:
            for item in self._gen:
                if not self._put(item):
                    return
        except BaseException as exc:     # noqa: BLE001 - handed to the COPY thread, re-raised there
            self._put(("error", exc))
            return
        finally:
            if self._stop.is_set():
                self._gen.close()
        self._put(END)

    def take(self):
        """The next item; polls so that a stopped producer never leaves COPY's sender waiting."""
        while True:
            try:
                return self._q.get(timeout=0.1)
            except queue.Empty:
                if self._stop.is_set():
                    raise CopyInterrupted("the COPY was cancelled") from None

    def stop(self, timeout: float | None = STOP_TIMEOUT):
        """Make the thread give up at its next put; wait up to ``timeout`` seconds for it (the
        loader also cancels its sources, so it stops within one chunk of work)."""
        self._stop.set()
        self._thread.join(timeout)


def readahead(chunks, depth: int = READAHEAD):
    """Read a streamed file's chunks in a thread, ``depth`` ahead, so S3/disk reads overlap with
    parsing. Errors surface in order; closing the generator stops the reader."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def pump():
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        q.put(("ok", chunk), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            item = ("ok", done)
        except BaseException as exc:     # noqa: BLE001 - re-raised in the consumer
            item = ("error", exc)
        finally:
            if stop.is_set() and hasattr(chunks, "close"):
                chunks.close()
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    thread = threading.Thread(target=pump, name="dwhkit-copy-read", daemon=True)
    thread.start()
    try:
        while True:
            kind, chunk = q.get()
            if kind == "error":
                raise chunk
            if chunk is done:
                return
            yield chunk
    finally:
        stop.set()
        thread.join()


def rechunk(data: bytes, size: int = sources.CHUNK):
    """A file read whole, as the source chunks the block logic expects."""
    for i in range(0, len(data), size):
        yield data[i:i + size]
