"""PARQUET input through pyarrow, reading S3 objects with ranged GETs (never the whole object).

Why ranged reads: Parquet needs random access (footer first, then column chunks); a seekable
file object over S3 Range requests keeps memory at one row group. Columns match by position and
the counts must be equal (§1); the first bad value fails the load (MAXERROR does not apply).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ...errors import CopyError, CopySyntaxError

BATCH = 16_384


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


class ParquetParser:
    """Parquet rows from pyarrow, columns by position (see the ``Format`` protocol)."""

    from_json = True      # values arrive typed (numbers, bools, nested lists/dicts)
    file_format = "Parquet"
    mapper = None
    strict = True         # columnar: the first error fails the load
    streamed = False      # reads by range itself (footer first)

    skip = 0

    def __init__(self, cmd, cols, source):
        allowed_off = ("delimiter", "escape", "removequotes", "fixedwidth_spec", "quote", "null_as", "json_spec",
                       "dateformat", "timeformat", "ignoreheader", "compression")
        for name in allowed_off:
            if getattr(cmd, name):
                raise CopySyntaxError(f"{name.upper()} cannot be used with PARQUET")
        self.source, self.ncols = source, len(cols)

    def records(self, chunks, f, stats):
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(self.source.random_access(f))
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
