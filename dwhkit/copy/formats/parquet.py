"""PARQUET input through pyarrow, reading the S3 object with ranged GETs (never the whole object).

Why ranged reads: Parquet needs random access (footer first, then column chunks); a seekable
file object over S3 Range requests keeps memory at one row group. Columns match by position and
the counts must be equal (§1); the first bad value fails the load (MAXERROR does not apply).
"""
from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from ...errors import CopyError, CopySyntaxError

BATCH = 16_384


class _S3RangeFile(io.RawIOBase):
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


def _normalise(v):
    """Arrow's Python values → what the converters take (ISO text for dates/times/decimals)."""
    t = type(v)
    if t is datetime:
        return v.isoformat(" ")
    if t is date:
        return v.isoformat()
    if t is Decimal:
        return format(v, "f")
    if t is bytes:
        return v.decode("utf-8", "replace")
    return v


class ParquetSource:
    from_json = True      # values arrive typed (numbers, bools, nested lists/dicts)
    file_format = "Parquet"
    mapper = None
    strict = True         # columnar: the first error fails the load

    def __init__(self, cmd, cols, client):
        allowed_off = ("delimiter", "escape", "removequotes", "fixedwidth_spec", "quote", "null_as", "json_spec",
                       "dateformat", "timeformat", "ignoreheader", "compression")
        for name in allowed_off:
            if getattr(cmd, name):
                raise CopySyntaxError(f"{name.upper()} cannot be used with PARQUET")
        self.client, self.ncols = client, len(cols)

    def records(self, chunks, f, stats):
        import pyarrow as pa
        import pyarrow.parquet as pq

        size = f.size
        if size is None and not f.local:
            size = self.client.head_object(Bucket=f.bucket, Key=f.key)["ContentLength"]
        try:
            source = f.key if f.local else _S3RangeFile(self.client, f.bucket, f.key, size)
            pf = pq.ParquetFile(source)
        except (pa.ArrowException, OSError) as exc:
            raise CopyError(f"{f.url}: not a readable Parquet file: {exc}") from None
        if pf.metadata.num_columns != self.ncols and len(pf.schema_arrow) != self.ncols:
            raise CopyError(f"{f.url}: the Parquet file has {len(pf.schema_arrow)} columns, the COPY loads "
                            f"{self.ncols}; columnar files must match the column count")
        row = 0
        for batch in pf.iter_batches(batch_size=BATCH):
            cols = []
            for arr in batch.columns:
                vals = arr.to_pylist()
                if pa.types.is_temporal(arr.type) or pa.types.is_decimal(arr.type) or pa.types.is_binary(arr.type):
                    vals = [None if v is None else _normalise(v) for v in vals]
                cols.append(vals)
            for vals in zip(*cols):
                row += 1
                yield row, "", list(vals)
        stats["lines"] = row

    @staticmethod
    def position(raw, idx) -> int:
        return 0
