"""Input formats of COPY (JSON, text/CSV, fixed width, Parquet) and the DATEFORMAT/TIMEFORMAT parser.

Every format turns a stream of bytes into records ``(line_number, raw, values)`` where ``values``
is the list of field values in target-column order, or a ``RecordError`` for a record that could
not be split into fields. Type conversion is not their job (see ``dwhkit.copy.convert``).
Each format is a parser class following the ``Format`` protocol below.
"""
from __future__ import annotations

from typing import Callable, Iterator, Protocol

# "The maximum size of a single input row from any source is 4 MB" (AWS, COPY data sources:
# docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-source.html; a JSON object is at most
# 4 MB, copy-usage_notes-copy-from-json). A longer record (a line of text/CSV, a JSON object) is
# that record's load error (1216), and no stage ever buffers more of it than this, so a
# decompression bomb of one endless line cannot grow memory.
MAX_RECORD = 4 << 20
TOO_LONG = 1216


class Format(Protocol):
    """What the loader asks of a format parser."""

    file_format: str        # stl_load_commits.file_format: 'Text', 'JSON', 'Parquet'
    from_json: bool         # values arrive typed (numbers, bools, nested values), not only as text
    strict: bool            # columnar: the first bad value fails the load, MAXERROR does not apply
    streamed: bool          # reads the chunks it is given (else it reads the file itself: Parquet)
    skip: int               # IGNOREHEADER lines still to skip at the start of each file
    mapper: Callable | None  # raw record → values in column order (JSON); None when already so

    def records(self, chunks: Iterator[bytes], f, stats: dict) -> Iterator[tuple]:
        """``(line_number, raw, values | RecordError)`` of one file; sets ``stats["lines"]``."""

    def position(self, raw, idx: int) -> int:
        """stl_load_errors.position of field ``idx`` in ``raw``."""


def too_long(what: str = "row") -> str:
    return f"Invalid {what}: longer than the 4 MB maximum size of a single input row"


class RecordError(Exception):
    """A record-level load error (an stl_load_errors row), raised by converters or yielded by formats.

    Kept as a tiny exception with slots-like attributes so the hot path pays nothing for it."""

    def __init__(self, code: int, reason: str, value=None, position: int = 0):
        super().__init__(reason)
        self.code, self.reason, self.value, self.position = code, reason, value, position


def utf8_chunks(chunks, encoding: str | None):
    """Normalise a file's bytes to UTF-8: drop a leading UTF-8 BOM; transcode UTF16/UTF16LE/UTF16BE
    incrementally (UTF16 needs a BOM, §4). Memory stays O(chunk)."""
    import codecs

    enc = (encoding or "UTF8").upper().replace("-", "")
    chunks = iter(chunks)
    if enc in ("UTF8", ""):
        first = True
        for chunk in chunks:
            if first:
                if len(chunk) < 3:            # a tiny first chunk: BOM check needs 3 bytes
                    chunk = _grow(chunk, chunks, 3)
                if chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
                first = False
            if chunk:
                yield chunk
        return
    name = {"UTF16": "utf-16", "UTF16LE": "utf-16-le", "UTF16BE": "utf-16-be"}.get(enc)
    if name is None:
        from ..errors import CopySyntaxError
        raise CopySyntaxError(f"ENCODING {encoding} is not supported (UTF8, UTF16, UTF16LE, UTF16BE)")
    dec = codecs.getincrementaldecoder(name)("strict")
    first = True
    try:
        for chunk in chunks:
            text = dec.decode(chunk)
            if first and text:
                if name == "utf-16" and not chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise UnicodeDecodeError(name, chunk[:2], 0, 2, "ENCODING UTF16 needs a byte-order mark")
                text = text.lstrip("\ufeff")
                first = False
            if text:
                yield text.encode("utf-8")
        tail = dec.decode(b"", final=True)
        if tail:
            yield tail.encode("utf-8")
    except UnicodeDecodeError as exc:
        from ..errors import CopyError
        raise CopyError(f"file is not valid {enc} (error 1221: file encoding does not match ENCODING): {exc}") from None


def _grow(chunk: bytes, chunks, n: int) -> bytes:
    for more in chunks:
        chunk += more
        if len(chunk) >= n:
            break
    return chunk


class TooDeep:
    """A JSON value nested too deeply for the (recursive) decoder, kept as its raw text. The
    record still loads when the value is not mapped to a column (pyarrow's fast path loads it
    too); mapped, it is that record's load error (see ``convert.json_text``)."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes):
        self.raw = raw
