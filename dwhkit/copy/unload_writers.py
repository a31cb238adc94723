"""The byte side of UNLOAD: rows → encoded records → compressed part files → S3 objects.

Why a module of its own: ``unload.py`` decides *what* goes *where* (query, slices, partitions,
manifest); this module only turns rows into bytes and bytes into S3 objects, in constant memory.
Rows arrive as tuples of Postgres text output (``str`` or ``None``) for the delimited and JSON
formats, so values are written exactly as Postgres prints them (``t``/``f``, ISO dates, numerics
at their scale); Parquet takes the driver's native Python values instead, to type its columns.

Decisions (AMBIG in REDSHIFT-SEMANTICS.md §6 / r_UNLOAD, each covered by a test):
- ESCAPE is applied to every non-NULL value, not only CHAR/VARCHAR: Redshift's other types never
  contain LF, CR, ``\\`` or a delimiter, while Postgres-only types (json, arrays, interval) can,
  and must reload. The NULL AS string itself is never escaped.
- ADDQUOTES quotes the NULL string too (``""`` by default), so a reload with REMOVEQUOTES sees
  exactly the NULL AS string; ESCAPE + ADDQUOTES escapes both ``"`` and ``'`` (r_UNLOAD: "``"``
  or ``'``").
- JSON booleans are the JSON *strings* ``"t"``/``"f"`` (r_UNLOAD: "unloaded as t or f"; bare t/f
  would not be JSON). json/jsonb values are embedded as nested JSON (Redshift does this for SUPER).
  ``NaN``/``Infinity`` are written as strings (JSON has no such numbers).
- FIXEDWIDTH: values left-justified and padded with spaces to the width in characters; a longer
  value is an error (Redshift never truncates). A NULL AS string wider than the column gives an
  empty (blank) field for non-character columns and an error for character ones (r_UNLOAD).
- Parquet: unconstrained NUMERIC (no typmod) and every type without a Parquet mapping are written
  as strings; TIMESTAMPTZ is converted to UTC and its zone dropped (§6).
"""
from __future__ import annotations

import bz2
import json
import zlib
from dataclasses import dataclass

from ..errors import CopyError, UnsupportedError

# Postgres type OIDs the encoders care about
BOOL, INT2, INT4, INT8, FLOAT4, FLOAT8, NUMERIC = 16, 21, 23, 20, 700, 701, 1700
DATE, TIME, TIMESTAMP, TIMESTAMPTZ = 1082, 1083, 1114, 1184
JSON_OID, JSONB = 114, 3802
CHAR_OIDS = {25, 1042, 1043, 18, 19}          # text, bpchar, varchar, "char", name
NUMBER_OIDS = {INT2, INT4, INT8, FLOAT4, FLOAT8, NUMERIC, 26}

MULTIPART_CHUNK = 8 << 20      # S3 multipart part size (min 5 MiB); the only buffer per open file


@dataclass(frozen=True)
class OutColumn:
    """One column of the unloaded result, as the manifest and the encoders need it."""

    name: str
    oid: int
    base: str                      # format_type(oid, NULL): 'integer', 'character varying', …
    length: int | None = None      # CHAR/VARCHAR length
    precision: int | None = None   # NUMERIC precision/scale (None when unconstrained)
    scale: int | None = None

    @property
    def is_char(self) -> bool:
        return self.oid in CHAR_OIDS

    def manifest_type(self) -> dict:
        """The VERBOSE manifest's ``type``. AMBIG: the AWS example prints the dimension without a
        key (``{"base": "character varying", 25}``, not JSON); we name it ``length`` and
        ``precision``/``scale``."""
        t: dict = {"base": self.base}
        if self.is_char and self.length is not None:
            t["length"] = self.length
        if self.oid == NUMERIC and self.precision is not None:
            t["precision"], t["scale"] = self.precision, self.scale or 0
        return t


# -- record encoders: one row (tuple of text or None) → bytes -------------------------------------

class DelimitedEncoder:
    """Pipe-delimited text (default) and CSV, with HEADER/DELIMITER/NULL AS/ADDQUOTES/ESCAPE."""

    def __init__(self, cols, *, csv: bool, delimiter: str | None, null_as: str | None,
                 addquotes: bool, escape: bool):
        self.csv = csv
        self.delim = delimiter if delimiter is not None else ("," if csv else "|")
        self.null = null_as if null_as is not None else ""
        self.addquotes, self.escape = addquotes, escape
        specials = {"\\", "\n", "\r", self.delim} | ({'"', "'"} if addquotes else set())
        self._esc_table = str.maketrans({c: "\\" + c for c in specials})
        self._csv_needs = (self.delim, '"', "\r", "\n")

    def field(self, v: str | None) -> str:
        if v is None:
            return f'"{self.null}"' if self.addquotes else self.null
        if self.csv:
            if any(c in v for c in self._csv_needs):
                return '"' + v.replace('"', '""') + '"'
            return v
        if self.escape:
            v = v.translate(self._esc_table)
        return f'"{v}"' if self.addquotes else v

    def header(self, cols) -> bytes:
        return self.record([c.name for c in cols])

    def record(self, row) -> bytes:
        return (self.delim.join(map(self.field, row)) + "\n").encode("utf-8")


class FixedWidthEncoder:
    """FIXEDWIDTH 'label:width,…' — one width per column, in select-list order."""

    def __init__(self, cols, spec: str, null_as: str | None):
        widths = []
        for item in spec.split(","):
            _, _, width = item.strip().rpartition(":")
            widths.append(int(width))
        if len(widths) != len(cols):
            raise CopyError(f"FIXEDWIDTH names {len(widths)} columns but the query returns {len(cols)}")
        self.cols, self.widths, self.null = cols, widths, null_as

    def header(self, cols) -> bytes:       # HEADER is refused with FIXEDWIDTH by the grammar
        return b""

    def record(self, row) -> bytes:
        out = []
        for col, width, v in zip(self.cols, self.widths, row):
            if v is None:
                v = self.null if self.null is not None else ""
                if len(v) > width:
                    if col.is_char:
                        raise CopyError(f"NULL AS string {self.null!r} is wider than FIXEDWIDTH column "
                                        f"{col.name} ({width})")
                    v = ""
            elif len(v) > width:
                raise CopyError(f"value of column {col.name} is {len(v)} characters, wider than its "
                                f"FIXEDWIDTH {width} (UNLOAD never truncates)")
            out.append(v.ljust(width))
        return ("".join(out) + "\n").encode("utf-8")


class JsonEncoder:
    """FORMAT JSON: one object per line, keys in select-list order."""

    def __init__(self, cols):
        names = [c.name for c in cols]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise CopyError(f"UNLOAD to JSON needs unique column names; duplicated: {', '.join(sorted(dup))}")
        self.keys = [json.dumps(n, ensure_ascii=False) + ":" for n in names]
        self.kinds = [self._kind(c.oid) for c in cols]

    @staticmethod
    def _kind(oid: int) -> str:
        if oid in NUMBER_OIDS:
            return "number"
        if oid == BOOL:
            return "bool"
        if oid in (JSON_OID, JSONB):
            return "json"
        return "string"

    def header(self, cols) -> bytes:
        return b""

    def record(self, row) -> bytes:
        parts = []
        for key, kind, v in zip(self.keys, self.kinds, row):
            if v is None:
                val = "null"
            elif kind == "number":
                val = v if v[-1:].isdigit() else json.dumps(v)       # NaN / Infinity
            elif kind == "bool":
                val = '"t"' if v in ("t", "true") else '"f"'
            elif kind == "json":
                val = v
            else:
                val = json.dumps(v, ensure_ascii=False)
            parts.append(key + val)
        return ("{" + ",".join(parts) + "}\n").encode("utf-8")


# -- compression -----------------------------------------------------------------------------------

class _Identity:
    def compress(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


class _Zstd:
    def __init__(self):
        import zstandard

        self._c = zstandard.ZstdCompressor().compressobj()

    def compress(self, data: bytes) -> bytes:
        return self._c.compress(data)

    def flush(self) -> bytes:
        return self._c.flush()


EXTENSIONS = {None: "", "GZIP": ".gz", "BZIP2": ".bz2", "ZSTD": ".zst"}


def compressor(name: str | None):
    """A streaming compressor with ``compress(bytes)`` / ``flush()``."""
    if name is None:
        return _Identity()
    if name == "GZIP":
        return zlib.compressobj(6, zlib.DEFLATED, 31)        # wbits 31 = gzip container
    if name == "BZIP2":
        return bz2.BZ2Compressor()
    if name == "ZSTD":
        return _Zstd()
    raise UnsupportedError(f"UNLOAD compression {name} is not supported by dwhkit")


# -- S3 objects -------------------------------------------------------------------------------------

class S3Sink:
    """A write-only S3 object: bytes are buffered up to ``MULTIPART_CHUNK`` and then sent as
    multipart-upload parts, so memory stays bounded whatever the file size. Small objects (the
    common case) go up in one ``put_object``. File-like enough for ``pyarrow.PythonFile``."""

    def __init__(self, client, bucket: str, key: str):
        self.client, self.bucket, self.key = client, bucket, key
        self._buf = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict] = []
        self.size = 0
        self.closed = False

    # file protocol (pyarrow)
    def write(self, data) -> int:
        data = bytes(data)
        self._buf += data
        self.size += len(data)
        if len(self._buf) >= MULTIPART_CHUNK:
            self._send_part()
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        pass

    def writable(self) -> bool:
        return True

    def _send_part(self) -> None:
        if self._upload_id is None:
            self._upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)["UploadId"]
        number = len(self._parts) + 1
        resp = self.client.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self._upload_id,
                                       PartNumber=number, Body=bytes(self._buf))
        self._parts.append({"ETag": resp["ETag"], "PartNumber": number})
        self._buf.clear()

    def close(self) -> None:
        if self.closed:
            return
        if self._upload_id is None:
            self.client.put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self._buf))
        else:
            if self._buf:
                self._send_part()
            self.client.complete_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self._upload_id,
                                                  MultipartUpload={"Parts": self._parts})
        self._buf = bytearray()
        self.closed = True

    def abort(self) -> None:
        """Drop an unfinished object (a failed UNLOAD leaves no half-written part behind)."""
        if self._upload_id is not None and not self.closed:
            try:
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self._upload_id)
            except Exception:  # noqa: BLE001 - best effort while another error propagates
                pass
        self.closed = True


@dataclass
class WrittenFile:
    """One finished data file: what the manifest lists."""

    url: str
    content_length: int
    record_count: int            # data rows plus the header line, as VERBOSE counts them
    rows: int                    # data rows only


def next_part_sink(writer) -> "S3Sink":
    """Advance ``writer.part`` and open the S3 sink of its next file (both writers name parts
    the same way and announce each key before writing it)."""
    writer.part += 1
    key = writer.name(writer.part)
    if writer.on_open is not None:
        writer.on_open(key)
    return S3Sink(writer.client, writer.bucket, key)


class PartFiles:
    """The files of one slice (in one partition folder): ``name(part)`` gives each key; a new part
    starts when the next record would push the current one past ``max_bytes``.

    With compression the size is estimated as compressed bytes already emitted plus the raw bytes
    the compressor still holds (an upper bound for compressible text), so a part rarely overshoots."""

    def __init__(self, client, bucket, name, encoder, header: bytes, compression: str | None,
                 max_bytes: int, on_open=None):
        self.client, self.bucket, self.name = client, bucket, name
        self.encoder, self.header_bytes, self.compression = encoder, header, compression
        self.max_bytes, self.on_open = max_bytes, on_open
        self.part = -1
        self.sink: S3Sink | None = None
        self.files: list[WrittenFile] = []

    def _open(self) -> None:
        self.sink = next_part_sink(self)
        self._comp = compressor(self.compression)
        self._pending = 0
        self._records = 0
        self._rows = 0
        if self.header_bytes:
            self._write(self.header_bytes)
            self._records = 1

    def _write(self, data: bytes) -> None:
        out = self._comp.compress(data)
        if out:
            self.sink.write(out)
            self._pending = 0
        else:
            self._pending += len(data)

    def _size(self) -> int:
        return self.sink.size + self._pending

    def write(self, row) -> None:
        data = self.encoder.record(row)
        if self.sink is None:
            self._open()
        elif self._rows and self._size() + len(data) > self.max_bytes:
            self.close()
            self._open()
        self._write(data)
        self._records += 1
        self._rows += 1

    def ensure_file(self) -> None:
        """Write an (empty, or header-only) file if this slice has none yet."""
        if self.sink is None and not self.files:
            self._open()

    def close(self) -> None:
        if self.sink is None:
            return
        tail = self._comp.flush()
        if tail:
            self.sink.write(tail)
        self.sink.close()
        self.files.append(WrittenFile(f"s3://{self.bucket}/{self.sink.key}", self.sink.size,
                                      self._records, self._rows))
        self.sink = None

    def abort(self) -> None:
        if self.sink is not None:
            self.sink.abort()
            self.sink = None


# -- Parquet ---------------------------------------------------------------------------------------

PARQUET_NATIVE_OIDS = frozenset({BOOL, INT2, INT4, INT8, FLOAT4, FLOAT8, NUMERIC, DATE, TIME, TIMESTAMP,
                                 TIMESTAMPTZ, 25, 1042, 1043})


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise UnsupportedError("UNLOAD ... FORMAT PARQUET needs pyarrow (pip install 'dwhkit[parquet]')") from None
    return pyarrow


def parquet_schema(cols):
    """Arrow schema from the Postgres result columns (see the module docstring)."""
    pa = _pyarrow()
    fields = []
    for c in cols:
        t = {BOOL: pa.bool_(), INT2: pa.int16(), INT4: pa.int32(), INT8: pa.int64(), FLOAT4: pa.float32(),
             FLOAT8: pa.float64(), DATE: pa.date32(), TIME: pa.time64("us"), TIMESTAMP: pa.timestamp("us"),
             TIMESTAMPTZ: pa.timestamp("us")}.get(c.oid, pa.string())
        if c.oid == NUMERIC and c.precision is not None and 0 < c.precision <= 38:
            t = pa.decimal128(c.precision, c.scale or 0)
        fields.append(pa.field(c.name, t))
    return pa.schema(fields)


def _parquet_value(v, arrow_type):
    import pyarrow as pa
    from datetime import timezone

    if v is None:
        return None
    if pa.types.is_string(arrow_type):
        return v if isinstance(v, str) else str(v)
    if pa.types.is_timestamp(arrow_type) and getattr(v, "tzinfo", None) is not None:
        return v.astimezone(timezone.utc).replace(tzinfo=None)
    return v


class ParquetFiles:
    """The Parquet files of one slice: rows are gathered into row groups of about ``row_group_bytes``
    (ROWGROUPSIZE, default 32 MB) and a new file starts once ``max_bytes`` is reached (checked
    after each row group; Redshift also approximates). Memory is bounded by one row group."""

    def __init__(self, client, bucket, name, cols, max_bytes: int, row_group_bytes: int, on_open=None,
                 batch_rows: int = 10_000):
        self.pa = _pyarrow()
        self.client, self.bucket, self.name = client, bucket, name
        self.schema = parquet_schema(cols)
        self.types = [f.type for f in self.schema]
        self.max_bytes, self.row_group_bytes, self.on_open = max_bytes, row_group_bytes, on_open
        self.batch_rows = batch_rows
        self.part = -1
        self.sink: S3Sink | None = None
        self.writer = None
        self.files: list[WrittenFile] = []
        self._rows: list[tuple] = []
        self._batches: list = []
        self._batch_bytes = 0

    def write(self, row) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.batch_rows:
            self._to_batch()

    def _to_batch(self) -> None:
        if not self._rows:
            return
        pa = self.pa
        arrays = [pa.array([_parquet_value(r[i], t) for r in self._rows], type=t) for i, t in enumerate(self.types)]
        batch = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        self._rows = []
        self._batches.append(batch)
        self._batch_bytes += batch.nbytes
        if self._batch_bytes >= self.row_group_bytes:
            self._flush_group()

    def _flush_group(self) -> None:
        if not self._batches:
            return
        if self.sink is not None and self.sink.size >= self.max_bytes:
            self._finish_file()
        if self.sink is None:
            self._open()
        table = self.pa.Table.from_batches(self._batches, schema=self.schema)
        self.writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self._file_rows += table.num_rows
        self._batches, self._batch_bytes = [], 0

    def _open(self) -> None:
        import pyarrow.parquet as pq

        self.sink = next_part_sink(self)
        # r_UNLOAD: "Apache Parquet version 1.0 format ... each row group is compressed using SNAPPY"
        self.writer = pq.ParquetWriter(self.pa.PythonFile(self.sink, mode="w"), self.schema,
                                       compression="snappy", version="1.0")
        self._file_rows = 0

    def _finish_file(self) -> None:
        self.writer.close()
        self.sink.close()
        self.files.append(WrittenFile(f"s3://{self.bucket}/{self.sink.key}", self.sink.size,
                                      self._file_rows, self._file_rows))
        self.sink, self.writer = None, None

    def ensure_file(self) -> None:
        pass            # Parquet writes no file for a slice without rows

    def close(self) -> None:
        self._to_batch()
        self._flush_group()
        if self.sink is not None:
            self._finish_file()

    def abort(self) -> None:
        if self.sink is not None:
            self.sink.abort()
            self.sink, self.writer = None, None
