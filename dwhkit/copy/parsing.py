"""One COPY's parsing: files in order through the fast path (pyarrow, whole blocks) or the exact
path (a format parser and the per-column converters), as items of COPY data for the sink.

Why two paths under one scheduler: the fast path parses ~1 MiB blocks on a thread pool and hands
the block over unchanged when every check passes; the first block it cannot vouch for goes, with
the rest of its file, to the exact path, which is the reference (every behaviour, every error
row). Small whole files are parsed together. Both paths count the same rows and lines.
"""
from __future__ import annotations

import collections
import copy
import itertools
import operator
import os

from .fastpath import Fallback, line_count
from .formats import MAX_RECORD, RecordError
from .formats.jsonfmt import _decode as _json_decode
from .streams import rechunk as _rechunk

BATCH_ROWS = 2000
BATCH_BYTES = 1 << 20          # …or this many bytes of COPY text, whichever comes first
GROUP_BYTES = 1 << 20           # small whole files are parsed together up to this many bytes
_call = operator.call
_LONG = object()                # a block marker: the line runs past MAX_RECORD (see _blocks)


def parse_threads() -> int:
    """Fast-path parser threads: ``DWH_COPY_PARSE_THREADS``, default the number of cores."""
    env = os.environ.get("DWH_COPY_PARSE_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, os.cpu_count() or 1)


class Parsing:
    """Yields ``(kind, COPY data bytes)`` items for one COPY (see ``items``); counts ``loaded``.
    Collaborators: ``fetcher`` (files and their chunks), ``fmt`` (the exact path's parser),
    ``fast`` (the fast path's plan, or None), ``convs`` (one converter per column), ``log``
    (rejected records and per-file commit rows), ``progress``."""

    def __init__(self, fetcher, fmt, fast, convs, log, progress):
        self.fetcher, self.fmt, self.fast, self.convs = fetcher, fmt, fast, convs
        self.log, self.progress = log, progress
        self.loaded = 0
        self.parse_threads = parse_threads()
        self._pool = None
        self._rest_fmt = copy.copy(fmt)      # the exact path resuming mid-file: header already skipped
        self._rest_fmt.skip = 0

    def items(self):
        """Yield ``(kind, data)``: 'bin'/'pgtext'/'csv' from the fast path, 'text' from the exact
        path, file by file in order (small files prefetched concurrently). Small files read whole
        are parsed together, ~1 MiB at a time (one pyarrow call per group, not per file); a group
        that fails a check is redone file by file."""
        group: list = []
        size = 0
        pending: collections.deque = collections.deque()
        groupable = self.fast is not None and not self.fmt.skip
        fetched = iter(self.fetcher)
        while True:
            try:
                f, chunks, whole = next(fetched)
            except StopIteration:
                break
            except BaseException:
                # a file that cannot be read fails the COPY: finish the files before it first,
                # so their stl_load_commits rows are written as the per-file path would have
                while pending:
                    yield from self._finish_group(*pending.popleft())
                for g in [group] if group else []:
                    yield from self._finish_group(*self._submit_group(g))
                raise
            if groupable and whole is not None and len(whole) < GROUP_BYTES and self._groupable(whole):
                group.append((f, whole))
                size += len(whole)
                if size >= GROUP_BYTES:
                    pending.append(self._submit_group(group))
                    group, size = [], 0
                    while len(pending) > self.parse_threads:
                        yield from self._finish_group(*pending.popleft())
                continue
            if group:
                pending.append(self._submit_group(group))
                group, size = [], 0
            while pending:
                yield from self._finish_group(*pending.popleft())
            yield from self._one_file(f, _rechunk(whole) if whole is not None else chunks)
        if group:
            pending.append(self._submit_group(group))
        while pending:
            yield from self._finish_group(*pending.popleft())

    def _groupable(self, whole: bytes) -> bool:
        """May this file be parsed concatenated with its neighbours? Text lines cannot merge (a
        newline separates the files, quotes/CR send blocks to the exact path), but pyarrow reads
        JSON as a stream of values, so a record left open at the end of one file could swallow the
        next file's start. If the first and the last non-blank lines of the file are each a whole
        object, no value can span the boundary (inside an object or array, an object right after
        a value or where a key is due is a syntax error, and a string cannot hold a newline)."""
        if self.fast.kind != "JSON":
            return True
        s = whole.strip()
        if not s:
            return True
        nl = s.find(b"\n")
        first = s if nl < 0 else s[:nl]
        last = s[s.rfind(b"\n") + 1:]
        try:
            return type(_json_decode(first)) is dict and type(_json_decode(last)) is dict
        except Exception:  # noqa: BLE001 - msgspec.DecodeError: not a whole object
            return False

    def _one_file(self, f, chunks):
        before = self.log.rejected
        stats: dict = {}
        if self.fast is not None:
            yield from self._fast_file(f, chunks, stats)
        else:
            yield from self._exact(f, chunks, stats, self.fmt, 0)
        self._file_done(f, stats.get("lines", 0), self.log.rejected - before)

    def _file_done(self, f, lines, errors):
        self.progress.file_done()
        self.log.file_done(f, lines, errors)

    def _submit_group(self, group):
        data = b"".join(w if w.endswith(b"\n") or not w else w + b"\n" for _, w in group)
        return group, data, self._parse_pool().submit(self.fast.run, data)

    def _finish_group(self, group, data, fut):
        try:
            kind, payload, n = fut.result()
        except Fallback:
            for f, whole in group:
                yield from self._one_file(f, _rechunk(whole))
            return
        self.loaded += n
        self.progress.advance(n, len(data))
        if payload:
            yield kind, payload
        for f, whole in group:
            self._file_done(f, line_count(whole) + (0 if whole.endswith(b"\n") or not whole else 1), 0)

    def _blocks(self, chunks, state):
        """Whole-line blocks of a file (≈ one source chunk each), after IGNOREHEADER; yields
        ``(block, header_lines_skipped_before_it)``. A line still open after MAX_RECORD bytes is
        not buffered further: ``(partial, 0)`` is yielded with ``state["long"]`` set, and the
        caller hands it with the rest of the file to the exact path, which makes it one record's
        error. ``state["skip"]`` is the IGNOREHEADER count still to skip."""
        carry = b""
        for chunk in chunks:
            cut = chunk.rfind(b"\n") + 1
            if cut == 0:
                carry += chunk
                if len(carry) > MAX_RECORD:
                    state["long"] = True
                    yield carry, 0
                    return
                continue
            # one copy of the chunk, not two (carry + chunk, then its head): the GIL is held
            # while bytes are copied, and the parser threads wait for it
            if cut == len(chunk):
                block, carry = (carry + chunk if carry else chunk), b""
            else:
                block, carry = b"".join((carry, memoryview(chunk)[:cut])), chunk[cut:]
            skipped = 0
            while state["skip"] and block:              # IGNOREHEADER: physical lines of each file
                block = block[block.find(b"\n") + 1:]
                state["skip"] -= 1
                skipped += 1
            yield block, skipped
        if carry:
            if state["skip"]:
                state["skip"] -= 1
                yield b"", 1
            else:
                yield carry, 0

    def _fast_file(self, f, chunks, stats):
        """One file through the fast path. Blocks are parsed by a small thread pool (pyarrow releases
        the GIL) and emitted in order; the first block that fails a check is re-read, with the rest
        of the file, by the exact path (line numbers continue)."""
        lines = 0
        inflight: collections.deque = collections.deque()
        state = {"skip": self.fmt.skip, "long": False}
        blocks = self._blocks(chunks, state)
        while True:
            self._fill(inflight, blocks, state)
            if not inflight:
                break
            block, skipped, fut = inflight.popleft()
            lines += skipped
            if fut is None:
                continue
            try:
                if fut is _LONG:
                    raise Fallback("a line longer than MAX_RECORD")
                kind, payload, n, nl = fut.result()
            except Fallback:
                rest = self._rest_of_file(block, inflight, blocks, chunks, state)
                yield from self._exact(f, rest, stats, self._resume_fmt(state), lines)
                return
            lines += nl
            self.loaded += n
            self.progress.advance(n, len(block))
            if payload:
                yield kind, payload
        stats["lines"] = lines

    def _fill(self, inflight, blocks, state) -> None:
        """Submit blocks to the parse pool until ``2 × parse_threads`` are in flight (or the file
        ends, or an over-long line ends what the fast path may take)."""
        pool, work = self._parse_pool(), self._parse_block
        if inflight and inflight[-1][2] is _LONG:
            return
        while len(inflight) < 2 * self.parse_threads:
            nxt = next(blocks, None)
            if nxt is None:
                return
            block, skipped = nxt
            if state["long"]:                       # an over-long line: the exact path's job
                inflight.append((block, skipped, _LONG))
                return
            inflight.append((block, skipped, pool.submit(work, block) if block else None))

    def _parse_block(self, block):
        if not block.endswith(b"\n"):
            # a file's last line may lack its newline: end it here, or the sink (which may be
            # handed these bytes as they are) would run it into the next file's first line
            block += b"\n"
        kind, payload, n = self.fast.run(block)
        return kind, payload, n, line_count(block)

    @staticmethod
    def _rest_of_file(block, inflight, blocks, chunks, state):
        """The bytes the exact path takes over: this block, those in flight, and the rest."""
        for _, _, other in inflight:
            if other is not None and other is not _LONG:
                other.cancel()
        pending = [b for b, _, _ in inflight]
        inflight.clear()

        def tail():
            yield from (b for b, _ in blocks)
            if state["long"]:       # _blocks stopped at an over-long line: the raw rest
                yield from chunks
        return itertools.chain((block,), pending, tail())

    def _resume_fmt(self, state):
        """The exact path's parser for the rest of a file: header already skipped, or not yet."""
        if not state["skip"]:
            return self._rest_fmt
        fmt = copy.copy(self.fmt)                   # still inside IGNOREHEADER
        fmt.skip = state["skip"]
        return fmt

    def _parse_pool(self):
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor
            self._pool = ThreadPoolExecutor(max_workers=self.parse_threads, thread_name_prefix="dwhkit-copy-parse")
        return self._pool

    def close(self):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _exact(self, f, chunks, stats, fmt, base):
        """The exact per-record path (formats + converters); ``base`` lines already consumed."""
        convs, mapper, reject, call = self.convs, fmt.mapper, self.log.reject, _call
        join = "\t".join
        progress = self.progress
        buf: list[str] = []
        size = 0
        for lineno, raw, vals in fmt.records(chunks, f, stats):
            lineno += base
            try:
                if type(vals) is RecordError:
                    raise vals
                if mapper is not None:
                    vals = mapper(vals)
                buf.append(join(map(call, convs, vals)))
            except RecordError as err:
                reject(f, lineno, raw, vals, err)
                continue
            size += len(buf[-1])
            if len(buf) >= BATCH_ROWS or size >= BATCH_BYTES:
                self.loaded += len(buf)
                progress.advance(len(buf))
                yield "text", ("\n".join(buf) + "\n").encode()
                buf = []
                size = 0
        if buf:
            self.loaded += len(buf)
            progress.advance(len(buf))
            yield "text", ("\n".join(buf) + "\n").encode()
        stats["lines"] = stats.get("lines", 0) + base
