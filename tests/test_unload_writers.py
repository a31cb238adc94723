"""UNLOAD's building blocks on their own: Parquet row groups and file rotation, key layout and the
overwrite pattern, Hive folder escaping (moto S3 over HTTP where bytes are written)."""
from __future__ import annotations

import io


from dwhkit.copy.unload import Layout, partition_folder
from dwhkit.copy.unload_grammar import parse_unload
from dwhkit.copy.unload_writers import OutColumn, ParquetFiles


def layout(opts: str, to: str = "s3://b/pre/venue_") -> Layout:
    return Layout(parse_unload(f"UNLOAD ('select 1') TO '{to}' IAM_ROLE default {opts}"))


def test_parquet_row_groups_follow_rowgroupsize_and_files_rotate(s3, bucket):
    import pyarrow.parquet as pq
    cols = [OutColumn("i", 23, "integer"), OutColumn("s", 25, "text")]

    def name(part):
        return f"p/{part:03d}.parquet"

    grouped = ParquetFiles(s3, bucket, name, cols, max_bytes=1 << 30, row_group_bytes=1, batch_rows=10)
    for i in range(35):
        grouped.write((i, f"v{i}"))
    grouped.close()
    meta = pq.read_metadata(io.BytesIO(s3.get_object(Bucket=bucket, Key="p/000.parquet")["Body"].read()))
    assert (meta.num_row_groups, meta.num_rows) == (4, 35)          # 10 + 10 + 10 + 5
    assert [(f.record_count, f.rows) for f in grouped.files] == [(35, 35)]

    def name2(part):
        return f"q/{part:03d}.parquet"

    rotating = ParquetFiles(s3, bucket, name2, cols, max_bytes=1, row_group_bytes=1, batch_rows=10)
    for i in range(25):
        rotating.write((i, None))
    rotating.close()
    assert [f.url.rsplit("/", 1)[1] for f in rotating.files] == ["000.parquet", "001.parquet", "002.parquet"]
    assert sum(f.rows for f in rotating.files) == 25


def test_layout_names_and_what_counts_as_an_overwrite():
    par = layout("")
    assert par.key("", 1, 0) == "pre/venue_0001_part_00"
    assert par.key("", 0, 12) == "pre/venue_0000_part_12"
    assert par.could_write("pre/venue_0007_part_03") and par.could_write("pre/venue_manifest")
    assert not par.could_write("pre/venue_0007_part_03.gz") and not par.could_write("pre/venue_notes")
    serial = layout("PARALLEL OFF BZIP2")
    assert serial.key("", 0, 1) == "pre/venue_001.bz2"
    assert serial.could_write("pre/venue_000.bz2") and not serial.could_write("pre/venue_000")
    part = layout("PARQUET PARTITION BY (a)", to="s3://b/lake/t")
    assert part.prefix == "lake/t/" and part.manifest_key == "lake/t/manifest"
    assert part.key("a=1/", 0, 0) == "lake/t/a=1/0000_part_00.parquet"
    assert part.could_write("lake/t/a=x/b=y/0003_part_00.parquet")
    assert not part.could_write("lake/t/0003_part_00.parquet")        # not inside a partition folder


def test_hive_folder_escaping():
    assert partition_folder(["a", "b"], ["x y", None]) == "a=x y/b=__HIVE_DEFAULT_PARTITION__/"
    assert partition_folder(["t"], ["2024-01-02 03:04:05"]) == "t=2024-01-02 03%3A04%3A05/"
    assert partition_folder(["p"], ["50%/=#?"]) == "p=50%25%2F%3D%23%3F/"
    assert partition_folder(["e"], [""]) == "e=__HIVE_DEFAULT_PARTITION__/"
