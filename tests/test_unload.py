"""UNLOAD emulation: file naming, formats and options byte for byte, manifests, overwrite rules,
partitions, refusals and transaction behaviour (real Postgres, moto S3 over HTTP)."""
from __future__ import annotations

import bz2
import gzip
import io
import json

import pytest
import zstandard

from dwhkit.copy import unload_writers
from dwhkit.targets.pg_unload import run_unload
from dwhkit.copy.unload_grammar import parse_unload
from dwhkit.errors import CopyError, UnsupportedError


def ddl(conn, *sqls):
    with conn.cursor() as cur:
        for sql in sqls:
            cur.execute(sql)
    conn.commit()


def unload(conn, bucket, query, opts="", to="u/venue_", **kw):
    q = query.replace("'", "''")
    return run_unload(conn, parse_unload(f"UNLOAD ('{q}') TO 's3://{bucket}/{to}' IAM_ROLE default {opts}"), **kw)


def keys(s3, bucket, prefix=""):
    resp = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for o in resp.get("Contents", []))


def body(s3, bucket, key) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def text(s3, bucket, key) -> str:
    return body(s3, bucket, key).decode()


@pytest.fixture
def venue(pg_conn):
    ddl(pg_conn, "CREATE TABLE venue (id int, name varchar(100), city varchar(30), state char(2), seats int)",
        "INSERT INTO venue VALUES (1,'Toyota Park','Bridgeview','IL',0),(2,'Columbus \"Crew\" Stadium',"
        "'Columbus','OH',0),(3,'RFK Stadium','Washington','DC',0),(4,'Community, Ballpark, Arena',"
        "'Kansas City','KS',NULL),(5,'Gillette Stadium','Foxborough',NULL,68756)")
    return pg_conn


# -- naming and slices -----------------------------------------------------------------------------

def test_parallel_default_two_slices_round_robin(venue, s3, bucket):
    res = unload(venue, bucket, "select id, name from venue order by id")
    assert res.rows_unloaded == 5
    assert keys(s3, bucket) == ["u/venue_0000_part_00", "u/venue_0001_part_00"]
    assert res.files == [f"s3://{bucket}/u/venue_0000_part_00", f"s3://{bucket}/u/venue_0001_part_00"]
    assert res.manifest is None
    # each slice keeps the ORDER BY order (rows dealt round-robin)
    assert text(s3, bucket, "u/venue_0000_part_00") == "1|Toyota Park\n3|RFK Stadium\n5|Gillette Stadium\n"
    assert text(s3, bucket, "u/venue_0001_part_00") == ('2|Columbus "Crew" Stadium\n'
                                                        "4|Community, Ballpark, Arena\n")


def test_slice_count_is_configurable(venue, s3, bucket, monkeypatch):
    unload(venue, bucket, "select id from venue", to="a/x_", slices=4)
    assert keys(s3, bucket, "a/") == [f"a/x_000{i}_part_00" for i in range(4)]
    monkeypatch.setenv("DWHKIT_UNLOAD_SLICES", "3")
    unload(venue, bucket, "select id from venue", to="b/x_")
    assert keys(s3, bucket, "b/") == [f"b/x_000{i}_part_00" for i in range(3)]


def test_parallel_off_is_serial_in_order_by_order_with_three_digit_names(venue, s3, bucket):
    # AMBIG (§6): the docs show both venue_serial_000 and lineorder_serial_0000.gz; we write 000
    res = unload(venue, bucket, "select id from venue order by id desc", "PARALLEL OFF")
    assert keys(s3, bucket) == ["u/venue_000"]
    assert text(s3, bucket, "u/venue_000") == "5\n4\n3\n2\n1\n"
    assert res.rows_unloaded == 5
    unload(venue, bucket, "select id from venue", "PARALLEL FALSE GZIP", to="g/v_")
    assert keys(s3, bucket, "g/") == ["g/v_000.gz"]


@pytest.mark.parametrize("opt, ext, decompress", [
    ("GZIP", ".gz", gzip.decompress),
    ("BZIP2", ".bz2", bz2.decompress),
    ("ZSTD", ".zst", lambda b: zstandard.ZstdDecompressor().stream_reader(io.BytesIO(b)).read()),
])
def test_compression_extension_and_bytes(venue, s3, bucket, opt, ext, decompress):
    unload(venue, bucket, "select id, city from venue order by id", opt)
    assert keys(s3, bucket) == [f"u/venue_0000_part_00{ext}", f"u/venue_0001_part_00{ext}"]
    raw = body(s3, bucket, f"u/venue_0000_part_00{ext}")
    assert raw != decompress(raw)
    assert decompress(raw) == b"1|Bridgeview\n3|Washington\n5|Foxborough\n"


def test_extension_overrides_the_suffix(venue, s3, bucket):
    unload(venue, bucket, "select id from venue", "EXTENSION 'txt.gz' GZIP", to="e/v_")
    assert keys(s3, bucket, "e/") == ["e/v_0000_part_00.txt.gz", "e/v_0001_part_00.txt.gz"]
    assert gzip.decompress(body(s3, bucket, "e/v_0000_part_00.txt.gz")).splitlines()[0].isdigit()
    unload(venue, bucket, "select id from venue", "CSV EXTENSION '.csv'", to="c/v_")
    assert keys(s3, bucket, "c/") == ["c/v_0000_part_00.csv", "c/v_0001_part_00.csv"]


def test_maxfilesize_starts_new_parts(pg_conn, s3, bucket):
    # ~12 MB of text: 5 MB parts → 000, 001, 002, none over 5 MB, nothing lost or reordered
    q = "select g, repeat(md5(g::text), 31) from generate_series(1, 12000) g order by g"
    res = unload(pg_conn, bucket, q, "PARALLEL OFF MAXFILESIZE 5 MB")
    names = keys(s3, bucket)
    assert names == ["u/venue_000", "u/venue_001", "u/venue_002"]
    sizes = [s3.head_object(Bucket=bucket, Key=k)["ContentLength"] for k in names]
    assert all(s <= 5 * 1024 * 1024 for s in sizes) and sizes[0] > 4.9 * 1024 * 1024
    lines = b"".join(body(s3, bucket, k) for k in names).decode().splitlines()
    assert [int(line.split("|")[0]) for line in lines] == list(range(1, 12001))
    assert res.rows_unloaded == 12000


def test_maxfilesize_parallel_parts_numbered_per_slice_and_gzip_bounded(pg_conn, s3, bucket):
    # hex digests barely compress, so the gzip parts really reach the limit
    q = ("select g, md5(g::text) || md5((g*7)::text) || md5((g*3)::text) || md5((g*5)::text) "
         "|| md5((g*11)::text) from generate_series(1, 150000) g")
    unload(pg_conn, bucket, q, "GZIP MAXFILESIZE 5")
    names = keys(s3, bucket)
    assert names[:2] == ["u/venue_0000_part_00.gz", "u/venue_0000_part_01.gz"]
    assert "u/venue_0001_part_01.gz" in names
    assert all(s3.head_object(Bucket=bucket, Key=k)["ContentLength"] <= 5 * 1024 * 1024 for k in names)
    total = sum(len(gzip.decompress(body(s3, bucket, k)).splitlines()) for k in names)
    assert total == 150000


def test_large_file_goes_up_as_multipart_with_bounded_buffer(pg_conn, s3, bucket, monkeypatch):
    monkeypatch.setattr(unload_writers, "MULTIPART_CHUNK", 5 * 1024 * 1024)
    sent = []
    real = unload_writers.S3Sink._send_part

    def spy(self):
        sent.append(len(self._buf))
        real(self)

    monkeypatch.setattr(unload_writers.S3Sink, "_send_part", spy)
    q = "select g, repeat('x', 1000) from generate_series(1, 12000) g"
    unload(pg_conn, bucket, q, "PARALLEL OFF")
    assert keys(s3, bucket) == ["u/venue_000"]
    assert len(sent) == 3 and max(sent) < 5 * 1024 * 1024 + 2000
    assert len(body(s3, bucket, "u/venue_000").splitlines()) == 12000


# -- delimited text options ------------------------------------------------------------------------

def test_null_default_empty_and_null_as(venue, s3, bucket):
    unload(venue, bucket, "select id, state, seats from venue where id in (4, 5) order by id", "PARALLEL OFF")
    assert text(s3, bucket, "u/venue_000") == "4|KS|\n5||68756\n"
    unload(venue, bucket, "select id, state, seats from venue where id in (4, 5) order by id",
           "PARALLEL OFF NULL AS 'fred'", to="n/")
    assert text(s3, bucket, "n/000") == "4|KS|fred\n5|fred|68756\n"


def test_delimiter_tab_and_header(venue, s3, bucket):
    unload(venue, bucket, "select id, city from venue where id < 3 order by id",
           "PARALLEL OFF HEADER DELIMITER AS '\\t'")
    assert text(s3, bucket, "u/venue_000") == "id\tcity\n1\tBridgeview\n2\tColumbus\n"


def test_header_on_every_file(venue, s3, bucket):
    unload(venue, bucket, "select id from venue order by id", "HEADER")
    assert text(s3, bucket, "u/venue_0000_part_00") == "id\n1\n3\n5\n"
    assert text(s3, bucket, "u/venue_0001_part_00") == "id\n2\n4\n"


def test_addquotes_quotes_every_field_including_null(venue, s3, bucket):
    unload(venue, bucket, "select id, name, state from venue where id in (4, 5) order by id",
           "PARALLEL OFF DELIMITER ',' ADDQUOTES")
    assert text(s3, bucket, "u/venue_000") == '"4","Community, Ballpark, Arena","KS"\n"5","Gillette Stadium",""\n'


def test_escape_backslashes_lf_cr_delimiter_and_backslash(pg_conn, s3, bucket):
    q = "select 'a|b' as x, E'l1\\nl2\\rx' as y, E'back\\\\slash' as z, 'q\"uo''te' as w"
    unload(pg_conn, bucket, q, "PARALLEL OFF ESCAPE")
    assert text(s3, bucket, "u/venue_000") == "a\\|b|l1\\\nl2\\\rx|back\\\\slash|q\"uo'te\n"
    # with ADDQUOTES the quotes are escaped too; the header goes through the same rules
    unload(pg_conn, bucket, q.replace("as w", 'as "w|1"'), "PARALLEL OFF ESCAPE ADDQUOTES HEADER", to="q/")
    assert text(s3, bucket, "q/000") == ('"x"|"y"|"z"|"w\\|1"\n'
                                         '"a\\|b"|"l1\\\nl2\\\rx"|"back\\\\slash"|"q\\"uo\\\'te"\n')


def test_without_escape_values_are_written_raw(pg_conn, s3, bucket):
    unload(pg_conn, bucket, "select 'a|b' as x, E'back\\\\slash' as z", "PARALLEL OFF")
    assert text(s3, bucket, "u/venue_000") == "a|b|back\\slash\n"


def test_csv_quotes_only_when_needed(pg_conn, s3, bucket):
    q = ("select 1 as id, 'plain' as a, 'has,comma' as b, 'say \"hi\"' as c, E'two\\nlines' as d, "
         "E'cr\\rhere' as e, '' as f, null::text as g, 'pipe|ok' as h")
    unload(pg_conn, bucket, q, "CSV PARALLEL OFF")
    assert text(s3, bucket, "u/venue_000") == ('1,plain,"has,comma","say ""hi""","two\nlines","cr\rhere",,,pipe|ok\n')
    unload(pg_conn, bucket, q, "FORMAT AS CSV DELIMITER AS '|' PARALLEL OFF HEADER NULL AS 'NIL'", to="p/")
    assert text(s3, bucket, "p/000") == ('id|a|b|c|d|e|f|g|h\n'
                                         '1|plain|has,comma|"say ""hi"""|"two\nlines"|"cr\rhere"||NIL|"pipe|ok"\n')


def test_fixedwidth_pads_and_never_truncates(venue, s3, bucket):
    unload(venue, bucket, "select id, city, state from venue where id in (1, 5) order by id",
           "PARALLEL OFF FIXEDWIDTH 'id:3,city:12,state:2'")
    assert text(s3, bucket, "u/venue_000") == "1  Bridgeview  IL\n5  Foxborough    \n"
    with pytest.raises(CopyError, match="wider than its FIXEDWIDTH"):
        unload(venue, bucket, "select id, city from venue", "FIXEDWIDTH 'id:3,city:5'", to="f/")
    assert keys(s3, bucket, "f/") == []


def test_values_are_written_as_postgres_prints_them(pg_conn, s3, bucket):
    q = ("select true as b, 12.5::numeric(12,2) as n, 0.1::float8 as d, date '2024-02-29' as dt, "
         "timestamp '2024-01-02 03:04:05.5' as ts, timestamptz '2024-01-02 03:04:05+02' as tz")
    unload(pg_conn, bucket, q, "PARALLEL OFF")
    assert text(s3, bucket, "u/venue_000") == "t|12.50|0.1|2024-02-29|2024-01-02 03:04:05.5|2024-01-02 01:04:05+00\n"


# -- JSON and Parquet ------------------------------------------------------------------------------

def test_json_one_object_per_line_types_and_nulls(pg_conn, s3, bucket):
    q = ("select 1 as id, 'Columbus \"Crew\" Stadium' as name, 12.50::numeric(12,2) as price, true as ok, "
         "false as no, null::int as missing, date '2024-01-31' as d, '{\"k\": [1, 2]}'::jsonb as doc, "
         "'NaN'::float8 as nan")
    res = unload(pg_conn, bucket, q, "JSON PARALLEL OFF")
    raw = text(s3, bucket, "u/venue_000")
    assert raw == ('{"id":1,"name":"Columbus \\"Crew\\" Stadium","price":12.50,"ok":"t","no":"f",'
                   '"missing":null,"d":"2024-01-31","doc":{"k": [1, 2]},"nan":"NaN"}\n')
    assert json.loads(raw)["doc"] == {"k": [1, 2]}
    assert res.rows_unloaded == 1


def test_json_needs_unique_column_names(pg_conn, s3, bucket):
    with pytest.raises(CopyError, match="unique column names"):
        unload(pg_conn, bucket, "select 1 as a, 2 as a", "JSON")


def test_parquet_types_mapped_from_postgres(pg_conn, s3, bucket):
    import pyarrow.parquet as pq
    from datetime import date, datetime
    from decimal import Decimal

    ddl(pg_conn, "CREATE TABLE p (i int, s smallint, b bigint, n numeric(12,2), f float8, r real, v varchar(10), "
                 "ok boolean, d date, ts timestamp, tz timestamptz, u numeric, j jsonb)",
        "INSERT INTO p VALUES (1, 2, 3000000000, 12.34, 1.5, 2.5, 'x', true, '2024-01-01', "
        "'2024-01-01 10:00:00.25', '2024-06-01 12:00:00+02', 1.23456789, '{\"a\": 1}'), "
        "(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)")
    unload(pg_conn, bucket, "select * from p order by i", "FORMAT PARQUET PARALLEL OFF")
    assert keys(s3, bucket) == ["u/venue_000.parquet"]
    table = pq.read_table(io.BytesIO(body(s3, bucket, "u/venue_000.parquet")))
    assert [str(t) for t in table.schema.types] == [
        "int32", "int16", "int64", "decimal128(12, 2)", "double", "float", "string", "bool", "date32[day]",
        "timestamp[us]", "timestamp[us]", "string", "string"]
    assert table.schema.field("tz").type.tz is None          # §6: the zone is dropped
    first = table.to_pylist()[0]
    assert first == {"i": 1, "s": 2, "b": 3000000000, "n": Decimal("12.34"), "f": 1.5, "r": 2.5, "v": "x",
                     "ok": True, "d": date(2024, 1, 1), "ts": datetime(2024, 1, 1, 10, 0, 0, 250000),
                     "tz": datetime(2024, 6, 1, 10, 0), "u": "1.23456789", "j": '{"a": 1}'}
    assert set(table.to_pylist()[1].values()) == {None}
    meta = pq.read_metadata(io.BytesIO(body(s3, bucket, "u/venue_000.parquet")))
    assert meta.row_group(0).column(0).compression == "SNAPPY"


# -- zero rows (AMBIG: delimited formats write empty objects, JSON/Parquet none) -------------------

def test_zero_rows_text_and_csv_write_empty_files(venue, s3, bucket):
    res = unload(venue, bucket, "select id, name from venue where false")
    assert res.rows_unloaded == 0
    assert keys(s3, bucket) == ["u/venue_0000_part_00", "u/venue_0001_part_00"]
    assert body(s3, bucket, "u/venue_0000_part_00") == b""
    unload(venue, bucket, "select id, name from venue where false", "CSV HEADER GZIP", to="c/")
    assert gzip.decompress(body(s3, bucket, "c/0001_part_00.gz")) == b"id,name\n"


def test_zero_rows_json_and_parquet_write_no_objects(venue, s3, bucket):
    res = unload(venue, bucket, "select id from venue where false", "JSON MANIFEST", to="j/")
    assert keys(s3, bucket, "j/") == ["j/manifest"]
    assert json.loads(text(s3, bucket, "j/manifest")) == {"entries": []}
    assert res.files == []
    unload(venue, bucket, "select id from venue where false", "PARQUET", to="p/")
    assert keys(s3, bucket, "p/") == []


def test_a_slice_without_rows_still_writes_a_text_file_but_not_json(venue, s3, bucket):
    unload(venue, bucket, "select id from venue where id = 1", to="t/")
    assert keys(s3, bucket, "t/") == ["t/0000_part_00", "t/0001_part_00"]
    unload(venue, bucket, "select id from venue where id = 1", "JSON", to="j/")
    assert keys(s3, bucket, "j/") == ["j/0000_part_00"]


# -- manifests -------------------------------------------------------------------------------------

def test_manifest_lists_the_files(venue, s3, bucket):
    res = unload(venue, bucket, "select * from venue", "MANIFEST")
    assert res.manifest == f"s3://{bucket}/u/venue_manifest"
    assert keys(s3, bucket) == ["u/venue_0000_part_00", "u/venue_0001_part_00", "u/venue_manifest"]
    assert json.loads(text(s3, bucket, "u/venue_manifest")) == {"entries": [
        {"url": f"s3://{bucket}/u/venue_0000_part_00"}, {"url": f"s3://{bucket}/u/venue_0001_part_00"}]}


def test_manifest_verbose_structure(venue, s3, bucket):
    ddl(venue, "CREATE TABLE m (id int, price numeric(12,2), name varchar(25), code char(3), f float8, d date)",
        "INSERT INTO m VALUES (1, 1.5, 'a', 'x', 1, '2024-01-01'), (2, 2, 'b', 'y', 2, '2024-01-02'), "
        "(3, 3, 'c', 'z', 3, '2024-01-03')")
    unload(venue, bucket, "select * from m order by id", "MANIFEST VERBOSE HEADER GZIP")
    man = json.loads(text(s3, bucket, "u/venue_manifest"))
    assert list(man) == ["entries", "schema", "meta", "author"]
    sizes = {k: s3.head_object(Bucket=bucket, Key=k)["ContentLength"]
             for k in ["u/venue_0000_part_00.gz", "u/venue_0001_part_00.gz"]}
    assert man["entries"] == [
        {"url": f"s3://{bucket}/u/venue_0000_part_00.gz",
         "meta": {"content_length": sizes["u/venue_0000_part_00.gz"], "record_count": 3}},   # 2 rows + header
        {"url": f"s3://{bucket}/u/venue_0001_part_00.gz",
         "meta": {"content_length": sizes["u/venue_0001_part_00.gz"], "record_count": 2}}]
    assert man["schema"] == {"elements": [
        {"name": "id", "type": {"base": "integer"}},
        {"name": "price", "type": {"base": "numeric", "precision": 12, "scale": 2}},
        {"name": "name", "type": {"base": "character varying", "length": 25}},
        {"name": "code", "type": {"base": "character", "length": 3}},
        {"name": "f", "type": {"base": "double precision"}},
        {"name": "d", "type": {"base": "date"}}]}
    assert man["meta"] == {"content_length": sum(sizes.values()), "record_count": 5}
    assert man["author"] == {"name": "Amazon Redshift", "version": "1.0.0"}


def test_parquet_manifest_carries_content_length(venue, s3, bucket):
    unload(venue, bucket, "select id, name from venue", "PARQUET MANIFEST")
    man = json.loads(text(s3, bucket, "u/venue_manifest"))
    for entry in man["entries"]:
        key = entry["url"].split("/", 3)[3]
        assert entry["meta"] == {"content_length": s3.head_object(Bucket=bucket, Key=key)["ContentLength"]}
    assert "schema" not in man


# -- ALLOWOVERWRITE and CLEANPATH ------------------------------------------------------------------

def test_existing_files_block_unless_allowoverwrite(venue, s3, bucket):
    unload(venue, bucket, "select id from venue order by id", "MANIFEST")
    before = body(s3, bucket, "u/venue_0000_part_00")
    with pytest.raises(CopyError, match="ALLOWOVERWRITE"):
        unload(venue, bucket, "select id * 10 from venue order by id", "MANIFEST")
    assert body(s3, bucket, "u/venue_0000_part_00") == before
    unload(venue, bucket, "select id * 10 from venue order by id", "MANIFEST ALLOWOVERWRITE")
    assert text(s3, bucket, "u/venue_0000_part_00") == "10\n30\n50\n"


def test_a_lone_manifest_also_blocks(venue, s3, bucket):
    s3.put_object(Bucket=bucket, Key="u/venue_manifest", Body=b"{}")
    with pytest.raises(CopyError, match="venue_manifest exists"):
        unload(venue, bucket, "select id from venue")


def test_files_it_would_not_write_do_not_block(venue, s3, bucket):
    s3.put_object(Bucket=bucket, Key="u/venue_0000_part_00.gz", Body=b"other format")
    s3.put_object(Bucket=bucket, Key="u/venue_notes.txt", Body=b"keep")
    res = unload(venue, bucket, "select id from venue")
    assert len(res.files) == 2
    assert body(s3, bucket, "u/venue_notes.txt") == b"keep"


def test_cleanpath_removes_everything_under_the_prefix_first(venue, s3, bucket):
    for k in ["u/venue_0003_part_00", "u/venue_old.csv", "u/other_0000_part_00"]:
        s3.put_object(Bucket=bucket, Key=k, Body=b"stale")
    unload(venue, bucket, "select id from venue", "CLEANPATH")
    assert keys(s3, bucket) == ["u/other_0000_part_00", "u/venue_0000_part_00", "u/venue_0001_part_00"]


# -- PARTITION BY ----------------------------------------------------------------------------------

@pytest.fixture
def sales(pg_conn):
    ddl(pg_conn, "CREATE TABLE sales (id int, region varchar(10), yr int, amount numeric(8,2))",
        "INSERT INTO sales VALUES (1,'east',2023,10),(2,'west',2023,20),(3,'east',2024,30),"
        "(4,NULL,2024,40),(5,'east',2023,50),(6,'a/b:c',2024,60)")
    return pg_conn


def test_partition_by_hive_folders_columns_dropped(sales, s3, bucket):
    res = unload(sales, bucket, "select * from sales order by id", "PARTITION BY (region, yr) MANIFEST",
                 to="s/sales")
    assert keys(s3, bucket) == sorted([
        "s/sales/region=__HIVE_DEFAULT_PARTITION__/yr=2024/0000_part_00",
        "s/sales/region=a%2Fb%3Ac/yr=2024/0000_part_00",
        "s/sales/region=east/yr=2023/0000_part_00", "s/sales/region=east/yr=2023/0001_part_00",
        "s/sales/region=east/yr=2024/0000_part_00",
        "s/sales/region=west/yr=2023/0000_part_00",
        "s/sales/manifest"])
    assert text(s3, bucket, "s/sales/region=east/yr=2023/0000_part_00") == "1|10.00\n"
    assert text(s3, bucket, "s/sales/region=east/yr=2023/0001_part_00") == "5|50.00\n"
    assert res.rows_unloaded == 6
    man = json.loads(text(s3, bucket, "s/sales/manifest"))
    assert sorted(e["url"] for e in man["entries"]) == sorted(res.files) and len(res.files) == 6


def test_partition_by_include_keeps_the_columns(sales, s3, bucket):
    unload(sales, bucket, "select id, region, amount from sales order by id", "PARTITION BY (region) INCLUDE "
           "PARALLEL OFF CSV", to="s/")
    assert text(s3, bucket, "s/region=east/000") == "1,east,10.00\n3,east,30.00\n5,east,50.00\n"
    assert text(s3, bucket, "s/region=__HIVE_DEFAULT_PARTITION__/000") == "4,,40.00\n"


def test_partition_by_parquet(sales, s3, bucket):
    import pyarrow.parquet as pq

    unload(sales, bucket, "select * from sales", "PARQUET PARTITION BY (yr)", to="pq/")
    names = keys(s3, bucket, "pq/")
    assert names == ["pq/yr=2023/0000_part_00.parquet", "pq/yr=2023/0001_part_00.parquet",
                     "pq/yr=2024/0000_part_00.parquet", "pq/yr=2024/0001_part_00.parquet"]
    assert pq.read_table(io.BytesIO(body(s3, bucket, names[0]))).column_names == ["id", "region", "amount"]


def test_partition_errors(sales, s3, bucket):
    with pytest.raises(CopyError, match="at least one column"):
        unload(sales, bucket, "select region from sales", "PARTITION BY (region)")
    with pytest.raises(CopyError, match="nope"):
        unload(sales, bucket, "select * from sales", "PARTITION BY (nope)")
    with pytest.raises(CopyError, match="cannot be a partition key"):
        unload(sales, bucket, "select id, amount::float8 as f from sales", "PARTITION BY (f)")
    assert keys(s3, bucket) == []


def test_cleanpath_with_partitions_cleans_only_written_folders(sales, s3, bucket):
    s3.put_object(Bucket=bucket, Key="s/yr=2023/0005_part_00", Body=b"stale")
    s3.put_object(Bucket=bucket, Key="s/yr=1999/0000_part_00", Body=b"other partition")
    unload(sales, bucket, "select id, yr from sales", "PARTITION BY (yr) CLEANPATH", to="s/")
    assert keys(s3, bucket) == ["s/yr=1999/0000_part_00", "s/yr=2023/0000_part_00", "s/yr=2023/0001_part_00",
                                "s/yr=2024/0000_part_00", "s/yr=2024/0001_part_00"]


def test_partition_overwrite_check_covers_every_folder(sales, s3, bucket):
    s3.put_object(Bucket=bucket, Key="s/yr=1999/0000_part_00", Body=b"x")
    with pytest.raises(CopyError, match="not empty"):
        unload(sales, bucket, "select id, yr from sales", "PARTITION BY (yr)", to="s/")


# -- refusals --------------------------------------------------------------------------------------

@pytest.mark.parametrize("opts, word", [
    ("ENCRYPTED", "ENCRYPTED"),
    ("ENCRYPTED AUTO", "ENCRYPTED"),
    ("KMS_KEY_ID '1234abcd' ENCRYPTED", "KMS_KEY_ID"),
    ("MASTER_SYMMETRIC_KEY 'EXAMPLEKEYabcdEXAMPLEKEYabcdEXAMPLEKEYab' ENCRYPTED", "MASTER_SYMMETRIC_KEY"),
    ("CSV ESCAPE", "ESCAPE"),
])
def test_unsupported_options_are_refused(venue, s3, bucket, opts, word):
    with pytest.raises(UnsupportedError, match=word):
        unload(venue, bucket, "select * from venue", opts)
    assert keys(s3, bucket) == []


def test_outer_limit_is_refused_nested_limit_works(venue, s3, bucket):
    with pytest.raises(UnsupportedError, match="LIMIT.*subquery"):
        unload(venue, bucket, "select * from venue order by id limit 2")
    with pytest.raises(UnsupportedError, match="LIMIT"):
        unload(venue, bucket, "select id from venue union all select id from venue limit 2")
    res = unload(venue, bucket, "select id from venue where id in (select id from venue order by id limit 2)",
                 "PARALLEL OFF")
    assert res.rows_unloaded == 2
    assert sorted(text(s3, bucket, "u/venue_000").splitlines()) == ["1", "2"]


def test_not_a_select_is_refused(venue, s3, bucket):
    with pytest.raises(CopyError, match="SELECT"):
        unload(venue, bucket, "delete from venue")
    with venue.cursor() as cur:
        cur.execute("select count(*) from venue")
        assert cur.fetchone() == (5,)


# -- translation and transactions ------------------------------------------------------------------

def test_query_is_translated_from_redshift_sql(venue, s3, bucket):
    # NVL and STRTOL are Redshift functions; STRTOL needs compat's session helper (a DO prelude)
    unload(venue, bucket, "select id, nvl(state, 'ZZ'), strtol('ff', 16) from venue where id = 5", "PARALLEL OFF")
    assert text(s3, bucket, "u/venue_000") == "5|ZZ|255\n"


def test_unload_sees_the_callers_uncommitted_rows_and_keeps_its_transaction(venue, s3, bucket):
    with venue.cursor() as cur:
        cur.execute("INSERT INTO venue VALUES (99, 'new', 'x', 'NY', 1)")
    unload(venue, bucket, "select id from venue where id = 99", "PARALLEL OFF")
    assert text(s3, bucket, "u/venue_000") == "99\n"
    with venue.cursor() as cur:                      # still the same open transaction
        cur.execute("select count(*) from venue")
        assert cur.fetchone() == (6,)
    venue.rollback()
    with venue.cursor() as cur:
        cur.execute("select count(*) from venue")
        assert cur.fetchone() == (5,)


def test_failure_midway_removes_written_files_and_keeps_the_transaction(pg_conn, s3, bucket):
    ddl(pg_conn, "CREATE TABLE k (i int)")
    with pg_conn.cursor() as cur:
        cur.execute("INSERT INTO k VALUES (1)")
    # the error surfaces only in a later batch, after files were opened and written
    q = "select g, 1 / (g - 2500) from generate_series(1, 3000) g order by g"
    with pytest.raises(CopyError, match="division by zero"):
        unload(pg_conn, bucket, q, "MAXFILESIZE 5", batch_rows=100)
    assert keys(s3, bucket) == []
    with pg_conn.cursor() as cur:                    # savepoint rolled back, transaction alive
        cur.execute("select count(*) from k")
        assert cur.fetchone() == (1,)


def test_autocommit_connection_is_restored(venue, s3, bucket):
    venue.autocommit = True
    unload(venue, bucket, "select id from venue")
    assert venue.autocommit is True
    with pytest.raises(CopyError):
        unload(venue, bucket, "select 1 / 0", to="z/")
    assert venue.autocommit is True


def test_s3_errors_become_copy_errors(venue, s3):
    with pytest.raises(CopyError, match="S3"):
        unload(venue, "no-such-bucket-dwhkit", "select id from venue")


def test_through_a_dwhkit_connection(dwh_config, venue, s3, bucket):
    from dwhkit.targets import get_target

    with get_target(dwh_config).connect() as conn:
        cur = conn.cursor()
        cur.execute(f"UNLOAD ('select id from venue where id <= 2 order by id') TO 's3://{bucket}/c/v_' "
                    "IAM_ROLE default PARALLEL OFF")
        assert cur.rowcount == 2
    assert text(s3, bucket, "c/v_000") == "1\n2\n"
