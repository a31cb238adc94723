"""COPY / COPY JOB grammar: AWS's own examples, option order, refused combinations, secrets."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwhkit.copy.grammar import COPY_PARAMS, is_copy_statement, parse_copy
from dwhkit.copy.options import CopyCommand, Credentials
from dwhkit.errors import CopySyntaxError, UnsupportedError

ROLE = "arn:aws:iam::0123456789012:role/MyRedshiftRole"
IAM = Credentials("iam_role", iam_role=ROLE)
SHP_ROLE = Credentials("credentials", iam_role="arn:aws:iam::123456789012:role/MyRoleName")


def C(table, source, **fields):
    """The expected command: Redshift's defaults plus ``fields`` (IAM_ROLE auth unless given)."""
    fields.setdefault("credentials", IAM)
    return CopyCommand(table=table, source=source, **fields)


def same(cmd: CopyCommand, expected: CopyCommand) -> bool:
    return dataclasses.replace(cmd, text="") == dataclasses.replace(expected, text="")


# Every statement on AWS's "COPY examples" page (awsdocs/amazon-redshift-developer-guide,
# doc_source/r_COPY_command_examples.md @ 2d4ee06), in page order, "INFO:" output lines dropped.
COPY_EXAMPLES = [
    ("dynamodb-readratio", """copy favoritemovies from 'dynamodb://Movies'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
readratio 50;""", UnsupportedError),
    ("s3-folder", """copy listing
from 's3://mybucket/data/listing/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""", C("listing", "s3://mybucket/data/listing/")),
    ("emr-tab-lzop", """copy sales
from 'emr://j-SAMPLE2B500FC/myoutput/part-*'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '\\t' lzop;""", UnsupportedError),
    ("emr-json", """copy sales
from 'emr://j-SAMPLE2B500FC/myoutput/json/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
JSON 's3://mybucket/jsonpaths.txt';""", UnsupportedError),
    ("prefix", """copy category
from 's3://mybucket/custdata'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""", C("category", "s3://mybucket/custdata")),
    ("manifest", """copy customer
from 's3://mybucket/cust.manifest'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
manifest;""", C("customer", "s3://mybucket/cust.manifest", manifest=True)),
    ("pipe-default", """copy listing
from 's3://mybucket/data/listings_pipe.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""", C("listing", "s3://mybucket/data/listings_pipe.txt")),
    ("parquet", """copy listing
from 's3://mybucket/data/listings/parquet/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
format as parquet;""", C("listing", "s3://mybucket/data/listings/parquet/", format="PARQUET")),
    ("temporary-credentials", """copy listing
from 's3://mybucket/data/listings_pipe.txt'
access_key_id '<access-key-id>'
secret_access_key '<secret-access-key'
session_token '<temporary-token>';""", C("listing", "s3://mybucket/data/listings_pipe.txt", credentials=Credentials(
        "keys", access_key_id="<access-key-id>", secret_access_key="<secret-access-key",
        session_token="<temporary-token>"))),
    ("event-options", """copy event
from 's3://mybucket/data/allevents_pipe.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
removequotes
emptyasnull
blanksasnull
maxerror 5
delimiter '|'
timeformat 'YYYY-MM-DD HH:MI:SS';""", C("event", "s3://mybucket/data/allevents_pipe.txt", removequotes=True,
                                         emptyasnull=True, blanksasnull=True, maxerror=5, delimiter="|",
                                         timeformat="YYYY-MM-DD HH:MI:SS")),
    ("fixedwidth", """copy venue
from 's3://mybucket/data/venue_fw.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
fixedwidth 'venueid:3,venuename:25,venuecity:12,venuestate:2,venueseats:6';""", C(
        "venue", "s3://mybucket/data/venue_fw.txt", format="FIXEDWIDTH",
        fixedwidth_spec="venueid:3,venuename:25,venuecity:12,venuestate:2,venueseats:6")),
    ("csv", """copy category
from 's3://mybucket/data/category_csv.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
csv;""", C("category", "s3://mybucket/data/category_csv.txt", format="CSV")),
    ("csv-quote-as", """copy category
from 's3://mybucket/data/category_csv.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
csv quote as '%';""", C("category", "s3://mybucket/data/category_csv.txt", format="CSV", quote="%")),
    ("explicit-ids", """copy venue
from 's3://mybucket/data/venue.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
explicit_ids;""", C("venue", "s3://mybucket/data/venue.txt", explicit_ids=True)),
    ("gzip", """copy time
from 's3://mybucket/data/timerows.gz'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
gzip
delimiter '|';""", C("time", "s3://mybucket/data/timerows.gz", compression="GZIP", delimiter="|")),
    ("timeformat", """copy timestamp1
from 's3://mybucket/data/time.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
timeformat 'YYYY-MM-DD HH:MI:SS';""", C("timestamp1", "s3://mybucket/data/time.txt", timeformat="YYYY-MM-DD HH:MI:SS")),
    ("default-values", """copy venue_new(venueid, venuename, venuecity, venuestate)
from 's3://mybucket/data/venue_noseats.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|';""", C("venue_new", "s3://mybucket/data/venue_noseats.txt", delimiter="|",
                      columns=("venueid", "venuename", "venuecity", "venuestate"))),
    ("default-values-not-null", """copy venue(venueid, venuecity, venuestate)
from 's3://mybucket/data/venue_pipe.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|';""", C("venue", "s3://mybucket/data/venue_pipe.txt", delimiter="|",
                      columns=("venueid", "venuecity", "venuestate"))),
    ("identity-explicit", """copy venue(venueid, venuename, venuecity, venuestate)
from 's3://mybucket/data/venue_pipe.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' explicit_ids;""", C("venue", "s3://mybucket/data/venue_pipe.txt", delimiter="|", explicit_ids=True,
                                   columns=("venueid", "venuename", "venuecity", "venuestate"))),
    # fails on Redshift at load time (identity column missing from the list), but parses
    ("identity-missing", """copy venue(venuename, venuecity, venuestate)
from 's3://mybucket/data/venue_pipe.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' explicit_ids;""", C("venue", "s3://mybucket/data/venue_pipe.txt", delimiter="|", explicit_ids=True,
                                   columns=("venuename", "venuecity", "venuestate"))),
    ("identity-no-explicit-ids", """copy venue(venueid, venuename, venuecity, venuestate)
from 's3://mybucket/data/venue_pipe.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|';""", C("venue", "s3://mybucket/data/venue_pipe.txt", delimiter="|",
                      columns=("venueid", "venuename", "venuecity", "venuestate"))),
    ("escape", """copy redshiftinfo from 's3://mybucket/data/redshiftinfo.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter '|' escape;""", C("redshiftinfo", "s3://mybucket/data/redshiftinfo.txt", delimiter="|", escape=True)),
    ("json-auto", """copy category
from 's3://mybucket/category_object_auto.json'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
json 'auto';""", C("category", "s3://mybucket/category_object_auto.json", format="JSON", json_spec="auto")),
    ("json-auto-ignorecase", """copy category
from 's3://mybucket/category_object_auto ignorecase.json'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
json 'auto ignorecase';""", C("category", "s3://mybucket/category_object_auto ignorecase.json", format="JSON",
                              json_spec="auto ignorecase")),
    ("json-jsonpaths", """copy category
from 's3://mybucket/category_object_paths.json'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
json 's3://mybucket/category_jsonpath.json';""", C("category", "s3://mybucket/category_object_paths.json",
                                                   format="JSON", json_spec="s3://mybucket/category_jsonpath.json")),
    ("json-arrays", """copy category
from 's3://mybucket/category_array_data.json'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
json 's3://mybucket/category_array_jsonpath.json';""", C(
        "category", "s3://mybucket/category_array_data.json", format="JSON",
        json_spec="s3://mybucket/category_array_jsonpath.json")),
    ("avro-auto", """copy category
from 's3://mybucket/category_auto.avro'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
format as avro 'auto';""", C("category", "s3://mybucket/category_auto.avro", format="AVRO", avro_spec="auto")),
    ("avro-auto-ignorecase", """copy category
from 's3://mybucket/category_auto-ignorecase.avro'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
format as avro 'auto ignorecase';""", C("category", "s3://mybucket/category_auto-ignorecase.avro", format="AVRO",
                                        avro_spec="auto ignorecase")),
    # the page's own trailing blank inside the path is kept as written
    ("avro-jsonpaths", """copy category
from 's3://mybucket/category_object_paths.avro'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
format avro 's3://mybucket/category_path.avropath ';""", C(
        "category", "s3://mybucket/category_object_paths.avro", format="AVRO",
        avro_spec="s3://mybucket/category_path.avropath ")),
    ("escape-newlines", """copy t2 from 's3://mybucket/data/nlTest2.txt'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
escape
delimiter as '|';""", C("t2", "s3://mybucket/data/nlTest2.txt", escape=True, delimiter="|")),
    ("shapefile", """COPY norway_natural FROM 's3://bucket_name/shapefiles/norway/gis_osm_natural_free_1.shp'
FORMAT SHAPEFILE
CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/MyRoleName';""", C(
        "norway_natural", "s3://bucket_name/shapefiles/norway/gis_osm_natural_free_1.shp", format="SHAPEFILE",
        credentials=SHP_ROLE)),
    ("shapefile-identity", """COPY norway_natural_with_id FROM 's3://bucket_name/shapefiles/norway/gis_osm_natural_free_1.shp'
FORMAT SHAPEFILE
CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/MyRoleName';""", C(
        "norway_natural_with_id", "s3://bucket_name/shapefiles/norway/gis_osm_natural_free_1.shp",
        format="SHAPEFILE", credentials=SHP_ROLE)),
    ("shapefile-too-large", """COPY norway_water FROM 's3://bucket_name/shapefiles/norway/gis_osm_water_a_free_1.shp'
FORMAT SHAPEFILE
CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/MyRoleName';""", C(
        "norway_water", "s3://bucket_name/shapefiles/norway/gis_osm_water_a_free_1.shp", format="SHAPEFILE",
        credentials=SHP_ROLE)),
    ("shapefile-simplify-auto", """COPY norway_water FROM 's3://bucket_name/shapefiles/norway/gis_osm_water_a_free_1.shp'
FORMAT SHAPEFILE
SIMPLIFY AUTO
CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/MyRoleName';""", C(
        "norway_water", "s3://bucket_name/shapefiles/norway/gis_osm_water_a_free_1.shp", format="SHAPEFILE",
        simplify="auto", credentials=SHP_ROLE)),
    ("shapefile-simplify-tolerance", """COPY norway_water FROM 's3://bucket_name/shapefiles/norway/gis_osm_water_a_free_1.shp'
FORMAT SHAPEFILE
SIMPLIFY AUTO 1.1E-05
MAXERROR 2
CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/MyRoleName';""", C(
        "norway_water", "s3://bucket_name/shapefiles/norway/gis_osm_water_a_free_1.shp", format="SHAPEFILE",
        simplify="auto", simplify_tolerance=1.1e-05, maxerror=2, credentials=SHP_ROLE)),
    ("shapefile-gzip", """COPY norway_natural FROM 's3://bucket_name/shapefiles/norway/compressed/gis_osm_natural_free_1.shp.gz'
FORMAT SHAPEFILE
GZIP
CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/MyRoleName';""", C(
        "norway_natural", "s3://bucket_name/shapefiles/norway/compressed/gis_osm_natural_free_1.shp.gz",
        format="SHAPEFILE", compression="GZIP", credentials=SHP_ROLE)),
    ("shapefile-columns", """COPY norway_natural_order(wkb_geometry, osm_id, code, fclass, name)
FROM 's3://bucket_name/shapefiles/norway/gis_osm_natural_free_1.shp'
FORMAT SHAPEFILE
CREDENTIALS 'aws_iam_role=arn:aws:iam::123456789012:role/MyRoleName';""", C(
        "norway_natural_order", "s3://bucket_name/shapefiles/norway/gis_osm_natural_free_1.shp",
        format="SHAPEFILE", columns=("wkb_geometry", "osm_id", "code", "fclass", "name"), credentials=SHP_ROLE)),
    # the live page (docs.aws.amazon.com …/r_COPY_command_examples.html) adds an ORC example
    ("orc", """copy listing
from 's3://amzn-s3-demo-bucket/data/listings/orc/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
format as orc;""", C("listing", "s3://amzn-s3-demo-bucket/data/listings/orc/", format="ORC")),
]

# The COPY statements on AWS's "UNLOAD examples" page (doc_source/r_UNLOAD_command_examples.md)
# and the example of r_COPY-JOB.md and copy_json (noshred).
OTHER_PAGE_COPIES = [
    ("unload-page-reload", """copy loadvenue from 's3://mybucket/venue_pipe_' iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""",
     C("loadvenue", "s3://mybucket/venue_pipe_")),
    ("unload-page-manifest", """copy loadvenue
from 's3://mybucket/venue_pipe_manifest' iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
manifest;""", C("loadvenue", "s3://mybucket/venue_pipe_manifest", manifest=True)),
    ("unload-page-encrypted", """copy loadvenue
from 's3://mybucket/venue_encrypt_manifest'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
master_symmetric_key 'EXAMPLEMASTERKEYtkbjk/OpCwtYSx/M4/t7DMCDIK722'
manifest
encrypted;""", C("loadvenue", "s3://mybucket/venue_encrypt_manifest", manifest=True, encrypted=True,
                 credentials=Credentials("iam_role", iam_role=ROLE,
                                         master_symmetric_key="EXAMPLEMASTERKEYtkbjk/OpCwtYSx/M4/t7DMCDIK722"))),
    ("unload-page-null-as", """copy loadvenuenulls from 's3://mybucket/nulls/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
null as 'fred';""", C("loadvenuenulls", "s3://mybucket/nulls/", null_as="fred")),
    ("unload-page-default-null", """copy loadvenuenulls from 's3://mybucket/nulls/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""", C("loadvenuenulls", "s3://mybucket/nulls/")),
    ("unload-page-emptyasnull", """copy loadvenuenulls from 's3://mybucket/nulls/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole' EMPTYASNULL;""",
     C("loadvenuenulls", "s3://mybucket/nulls/", emptyasnull=True)),
    ("copy-job-create", """COPY public.target_table
FROM 's3://mybucket-bucket/staging-folder'
IAM_ROLE 'arn:aws:iam::123456789012:role/MyLoadRoleName'
JOB CREATE my_copy_job_name
AUTO ON;""", C("target_table", "s3://mybucket-bucket/staging-folder", schema="public",
               credentials=Credentials("iam_role", iam_role="arn:aws:iam::123456789012:role/MyLoadRoleName"),
               job=("create", "my_copy_job_name", "on"))),
    ("copy-json-noshred", """COPY region_nations_noshred FROM 's3://redshift-downloads/semistructured/tpch-nested/data/json/region_nation' REGION 'us-east-1' IAM_ROLE 'arn:aws:iam::xxxxxxxxxxxx:role/Redshift-S3' FORMAT JSON 'noshred';""",
     C("region_nations_noshred", "s3://redshift-downloads/semistructured/tpch-nested/data/json/region_nation",
       region="us-east-1", format="JSON", json_spec="noshred",
       credentials=Credentials("iam_role", iam_role="arn:aws:iam::xxxxxxxxxxxx:role/Redshift-S3"))),
]


@pytest.mark.parametrize("sql, expected", [(s, e) for _, s, e in COPY_EXAMPLES + OTHER_PAGE_COPIES],
                         ids=[i for i, _, _ in COPY_EXAMPLES + OTHER_PAGE_COPIES])
def test_aws_examples(sql, expected):
    assert is_copy_statement(sql)
    if isinstance(expected, type):
        with pytest.raises(expected, match="S3"):
            parse_copy(sql)
    else:
        cmd = parse_copy(sql)
        assert same(cmd, expected), cmd
        secrets = cmd.credentials.secret_access_key or cmd.credentials.master_symmetric_key
        assert cmd.text == sql.strip() if not secrets else "'***'" in cmd.text


# ------------------------------------------------------------------ spellings and values


@pytest.mark.parametrize("clause, field, value", [
    ("FORMAT AS JSON 'auto'", "json_spec", "auto"),
    ("FORMAT JSON", "json_spec", "auto"),
    ("JSON", "json_spec", "auto"),           # JSON with no argument means 'auto'
    ("json as 'AUTO IGNORECASE'", "json_spec", "auto ignorecase"),
    ("FORMAT AS CSV QUOTE AS '\"'", "quote", '"'),
    ("DELIMITER AS '\\t'", "delimiter", "\t"),
    ("DELIMITER '\\054'", "delimiter", ","),  # octal
    ("delimiter as ';'", "delimiter", ";"),
    ("NULL AS '\\N'", "null_as", "\\N"),     # kept as written: the loader reads the escape
    ("NULL ''", "null_as", ""),
    ("TIMEFORMAT AS 'epochmillisecs'", "timeformat", "epochmillisecs"),
    ("DATEFORMAT AS 'MM/DD/YYYY'", "dateformat", "MM/DD/YYYY"),
    ("ACCEPTINVCHARS", "acceptinvchars", "?"),
    ("ACCEPTINVCHARS AS '^'", "acceptinvchars", "^"),
    ("ENCODING AS UTF16LE", "encoding", "UTF16LE"),
    ("encoding utf8", "encoding", "UTF8"),
    ("IGNOREHEADER AS 1", "ignoreheader", 1),
    ("MAXERROR AS 100000", "maxerror", 100000),
    ("MAXERROR 0", "maxerror", 0),
    ("COMPROWS 5000", "comprows", 5000),
    ("COMPUPDATE", "compupdate", "ON"),
    ("COMPUPDATE PRESET", "compupdate", "PRESET"),
    ("COMPUPDATE FALSE", "compupdate", "OFF"),
    ("STATUPDATE TRUE", "statupdate", "ON"),
    ("STATUPDATE off", "statupdate", "OFF"),
    ("STATUPDATE", "statupdate", "ON"),
    ("REGION AS 'us-west-2'", "region", "us-west-2"),
    ("ZSTD", "compression", "ZSTD"),
    ("BZIP2", "compression", "BZIP2"),
    ("LZOP", "compression", "LZOP"),
    ("NOLOAD", "noload", True),
    ("IGNOREALLERRORS", "ignoreallerrors", True),
    ("FILLRECORD", "fillrecord", True),
    ("IGNOREBLANKLINES", "ignoreblanklines", True),
    ("ROUNDEC", "roundec", True),
    ("TRIMBLANKS", "trimblanks", True),
    ("TRUNCATECOLUMNS", "truncatecolumns", True),
    ("ACCEPTANYDATE", "acceptanydate", True),
    ("FORMAT AS PARQUET SERIALIZETOJSON", "serializetojson", True),
    ("FORMAT AS FIXEDWIDTH AS 'a:1, b:2'", "fixedwidth_spec", "a:1, b:2"),
    ("SHAPEFILE SIMPLIFY 0.5", "simplify_tolerance", 0.5),
    ("SHAPEFILE SIMPLIFY 0.5", "simplify", "all"),
])
def test_option_spellings(clause, field, value):
    cmd = parse_copy(f"copy t from 's3://b/k' iam_role default {clause}")
    assert getattr(cmd, field) == value


@pytest.mark.parametrize("auth, credentials", [
    ("IAM_ROLE default", Credentials("iam_role", iam_role="default")),
    ("iam_role DEFAULT", Credentials("iam_role", iam_role="default")),
    ("IAM_ROLE 'arn:a,arn:b'", Credentials("iam_role", iam_role="arn:a,arn:b")),  # chained roles
    ("CREDENTIALS 'aws_iam_role=arn:x'", Credentials("credentials", iam_role="arn:x")),
    ("WITH CREDENTIALS AS 'aws_iam_role=arn:x'", Credentials("credentials", iam_role="arn:x")),
    ("with credentials 'aws_access_key_id=A;aws_secret_access_key=S;token=T'",
     Credentials("credentials", access_key_id="A", secret_access_key="S", session_token="T")),
    ("ACCESS_KEY_ID 'A' SECRET_ACCESS_KEY 'S'", Credentials("keys", access_key_id="A", secret_access_key="S")),
    ("SECRET_ACCESS_KEY 'S' ACCESS_KEY_ID 'A'", Credentials("keys", access_key_id="A", secret_access_key="S")),
])
def test_auth_forms(auth, credentials):
    assert parse_copy(f"copy t from 's3://b/k' {auth}").credentials == credentials


def test_table_names_fold_to_lower_case_quoted_or_not():
    cmd = parse_copy("""COPY "Sales"."FactTable" ("A", b, "C D") FROM 's3://b/k' IAM_ROLE default""")
    assert (cmd.schema, cmd.table, cmd.columns) == ("sales", "facttable", ("a", "b", "c d"))
    assert parse_copy("Copy Staging.Events From 's3://b/k' Iam_Role Default").schema == "staging"


def test_comments_semicolon_and_case():
    cmd = parse_copy("-- load\nCOPY /* target */ t FROM 's3://b/k' /* auth */ IAM_ROLE default Csv ;  ")
    assert cmd.format == "CSV"
    assert not is_copy_statement("select 1") and is_copy_statement("  /* x */ copy t")


def test_every_parameter_in_the_table_parses():
    """The table is the grammar: each entry reads, and only READRATIO/SSH are refused."""
    args = {"REGION": "'r'", "IAM_ROLE": "", "CREDENTIALS": "", "ACCESS_KEY_ID": "", "SECRET_ACCESS_KEY": "",
            "SESSION_TOKEN": "", "MASTER_SYMMETRIC_KEY": "'k' ENCRYPTED", "QUOTE": "'q' CSV",
            "DELIMITER": "','", "FIXEDWIDTH": "'a:1'", "DATEFORMAT": "'auto'", "ENCODING": "UTF8",
            "IGNOREHEADER": "1", "NULL": "AS 'x'", "TIMEFORMAT": "'auto'", "MAXERROR": "1", "COMPROWS": "1",
            "READRATIO": "50", "SIMPLIFY": "AUTO SHAPEFILE", "SERIALIZETOJSON": "PARQUET",
            "ENCRYPTED": "MASTER_SYMMETRIC_KEY 'k'"}
    for kw in COPY_PARAMS:
        if kw in ("IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN"):
            continue
        sql = f"copy t from 's3://b/k' iam_role default {kw} {args.get(kw, '')}"
        if kw in ("READRATIO", "SSH"):
            with pytest.raises(UnsupportedError, match=kw):
                parse_copy(sql)
        else:
            parse_copy(sql)


# ------------------------------------------------------------------ COPY JOB


@pytest.mark.parametrize("sql, job", [
    ("COPY t FROM 's3://b/p/' IAM_ROLE 'arn:r' JOB CREATE nightly", ("create", "nightly", "on")),
    ("COPY t FROM 's3://b/p/' IAM_ROLE 'arn:r' CSV GZIP JOB CREATE Nightly AUTO OFF;", ("create", "nightly", "off")),
    ("COPY JOB ALTER nightly AUTO OFF", ("alter", "nightly", "off")),
    ("COPY JOB ALTER nightly", ("alter", "nightly")),
    ("copy job run nightly;", ("run", "nightly")),
    ("COPY JOB LIST", ("list",)),
    ("COPY JOB SHOW nightly", ("show", "nightly")),
    ("COPY JOB DROP nightly", ("drop", "nightly")),
    # AMBIG: the preview refused ORC/Parquet jobs, current docs do not; we accept them
    ("COPY t FROM 's3://b/p/' IAM_ROLE 'arn:r' FORMAT PARQUET JOB CREATE pq", ("create", "pq", "on")),
])
def test_copy_job(sql, job):
    assert parse_copy(sql).job == job


def test_a_table_called_job_is_still_a_table():
    assert parse_copy("COPY job FROM 's3://b/k' IAM_ROLE default").table == "job"


@pytest.mark.parametrize("sql, message", [
    ("COPY t FROM 's3://b/p/' IAM_ROLE 'arn:r' MAXERROR 3 JOB CREATE j", "COPY JOB does not accept MAXERROR"),
    ("COPY t FROM 's3://b/p/' IAM_ROLE 'arn:r' IGNOREALLERRORS JOB CREATE j", "IGNOREALLERRORS"),
    ("COPY t FROM 's3://b/m' IAM_ROLE 'arn:r' MANIFEST JOB CREATE j", "MANIFEST"),
    ("COPY t FROM 's3://b/p/' IAM_ROLE default JOB CREATE j", "IAM_ROLE 'arn"),
    ("COPY t FROM 's3://b/p/' ACCESS_KEY_ID 'a' SECRET_ACCESS_KEY 's' JOB CREATE j", "IAM_ROLE 'arn"),
    ("COPY t FROM 's3://b/p/' CREDENTIALS 'aws_iam_role=arn:r' JOB CREATE j", "IAM_ROLE 'arn"),
    ("COPY t FROM 's3://b/p/' IAM_ROLE 'arn:r' JOB CREATE my-job", "hyphen"),
    ("COPY t FROM 's3://b/p/' IAM_ROLE 'arn:r' JOB CREATE \"my-job\"", "hyphen"),
    ("COPY JOB DROP my-job", "hyphen"),
    ("COPY t FROM 's3://b/p/' IAM_ROLE 'arn:r' JOB CREATE j CSV", "unexpected CSV"),
    ("COPY JOB FLY j", "expected FROM"),
])
def test_copy_job_refusals(sql, message):
    with pytest.raises(CopySyntaxError, match=message):
        parse_copy(sql)


# ------------------------------------------------------------------ refused combinations

BASE = "copy t from 's3://b/k' iam_role default "


@pytest.mark.parametrize("options, names", [
    # CSV with FIXEDWIDTH / REMOVEQUOTES / ESCAPE
    ("CSV FIXEDWIDTH 'a:1'", ["FIXEDWIDTH", "CSV"]),
    ("CSV REMOVEQUOTES", ["CSV", "REMOVEQUOTES"]),
    ("ESCAPE FORMAT AS CSV", ["CSV", "ESCAPE"]),
    # FIXEDWIDTH with DELIMITER / ESCAPE
    ("FIXEDWIDTH 'a:1' DELIMITER '|'", ["FIXEDWIDTH", "DELIMITER"]),
    ("FIXEDWIDTH 'a:1' ESCAPE", ["FIXEDWIDTH", "ESCAPE"]),
    # QUOTE only with CSV
    ("QUOTE '%'", ["QUOTE", "requires CSV"]),
    ("JSON QUOTE AS '%'", ["QUOTE", "requires CSV"]),
    # JSON with CSV / DELIMITER / ESCAPE / FILLRECORD / FIXEDWIDTH / IGNOREBLANKLINES / NULL AS / REMOVEQUOTES
    ("JSON 'auto' CSV", ["CSV", "JSON"]),
    ("JSON DELIMITER ','", ["JSON", "DELIMITER"]),
    ("JSON ESCAPE", ["JSON", "ESCAPE"]),
    ("FILLRECORD JSON", ["JSON", "FILLRECORD"]),
    ("JSON FIXEDWIDTH 'a:1'", ["FIXEDWIDTH", "JSON"]),
    ("JSON IGNOREBLANKLINES", ["JSON", "IGNOREBLANKLINES"]),
    ("JSON NULL AS 'x'", ["JSON", "NULL AS"]),
    ("JSON REMOVEQUOTES", ["JSON", "REMOVEQUOTES"]),
    # AMBIG: Avro gets JSON's list
    ("AVRO 'auto' DELIMITER ','", ["AVRO", "DELIMITER"]),
    # IGNOREALLERRORS with MAXERROR
    ("MAXERROR 10 IGNOREALLERRORS", ["IGNOREALLERRORS", "MAXERROR"]),
    # columnar formats take only FROM, auth, MANIFEST, ACCEPTINVCHARS, FILLRECORD, STATUPDATE, EXPLICIT_IDS
    ("PARQUET GZIP", ["GZIP", "PARQUET"]),
    ("FORMAT AS ORC MAXERROR 1", ["MAXERROR", "ORC"]),
    ("PARQUET REGION 'us-east-1'", ["REGION", "PARQUET"]),
    ("PARQUET IGNOREALLERRORS", ["IGNOREALLERRORS", "PARQUET"]),
    ("ORC ACCEPTANYDATE", ["ACCEPTANYDATE", "ORC"]),
    ("PARQUET DELIMITER ','", ["DELIMITER", "PARQUET"]),
    ("SERIALIZETOJSON", ["SERIALIZETOJSON", "PARQUET or ORC"]),
    ("SIMPLIFY AUTO", ["SIMPLIFY", "SHAPEFILE"]),
    # two formats, two compressions, duplicates
    ("PARQUET ORC", ["ORC", "PARQUET", "only one format"]),
    ("GZIP ZSTD", ["ZSTD", "GZIP", "only one compression"]),
    ("GZIP GZIP", ["duplicate option GZIP"]),
    ("DELIMITER ',' delimiter as ';'", ["duplicate option DELIMITER"]),
    ("NULL AS 'a' NULL AS 'b'", ["duplicate option NULL"]),
    # value checks
    ("MAXERROR 100001", ["MAXERROR", "100000"]),
    ("DELIMITER ',,'", ["DELIMITER", "one ASCII character"]),
    ("DELIMITER 'é'", ["DELIMITER", "ASCII"]),
    ("CSV QUOTE AS 'ab'", ["QUOTE", "one ASCII character"]),
    ("ACCEPTINVCHARS AS '\\000'", ["ACCEPTINVCHARS", "NUL"]),
    ("ENCODING LATIN1", ["ENCODING", "UTF8"]),
    ("IGNOREHEADER 1.5", ["IGNOREHEADER", "whole number"]),
    ("COMPROWS 0", ["COMPROWS", "out of range"]),
    ("JSON 'shred'", ["JSON", "'auto'"]),
    ("DATEFORMAT 'epochsecs'", ["DATEFORMAT", "TIMEFORMAT only"]),
    ("FIXEDWIDTH 'a,b'", ["FIXEDWIDTH", "label:width"]),
    ("SHAPEFILE SIMPLIFY", ["SIMPLIFY", "AUTO"]),
    # client-side encryption needs its key; the key needs ENCRYPTED and no CREDENTIALS
    ("ENCRYPTED", ["ENCRYPTED", "MASTER_SYMMETRIC_KEY"]),
    ("MASTER_SYMMETRIC_KEY 'k'", ["MASTER_SYMMETRIC_KEY", "requires ENCRYPTED"]),
    # unknown and stray words
    ("GZIPP", ["unknown COPY option GZIPP"]),
    ("IGNORE_HEADER 1", ["unknown COPY option IGNORE_HEADER"]),
    ("DELIMITER", ["DELIMITER expects a quoted string"]),
    ("MAXERROR", ["MAXERROR expects a number"]),
    ("'csv'", ["expected a COPY option"]),
    ("CSV; COPY u FROM 's3://b/k'", ["one statement at a time"]),
    ("FORMAT AS TEXT", ["expected", "after FORMAT"]),
])
def test_refused(options, names):
    with pytest.raises(CopySyntaxError) as err:
        parse_copy(BASE + options)
    message = str(err.value)
    assert "at line 1, column " in message and message.splitlines()[-1].strip() == "^"
    for name in names:
        assert name in message


@pytest.mark.parametrize("sql, names", [
    ("copy t from 's3://b/k'", ["needs an authorization"]),
    ("copy t from 's3://b/k' iam_role default credentials 'aws_iam_role=arn:x'", ["IAM_ROLE", "CREDENTIALS"]),
    ("copy t from 's3://b/k' credentials 'aws_iam_role=a' access_key_id 'a' secret_access_key 's'",
     ["CREDENTIALS", "ACCESS_KEY_ID"]),
    ("copy t from 's3://b/k' access_key_id 'a'", ["ACCESS_KEY_ID", "requires SECRET_ACCESS_KEY"]),
    ("copy t from 's3://b/k' secret_access_key 's'", ["SECRET_ACCESS_KEY", "requires ACCESS_KEY_ID"]),
    ("copy t from 's3://b/k' iam_role default session_token 't'", ["SESSION_TOKEN", "requires ACCESS_KEY_ID"]),
    ("copy t from 's3://b/k' credentials 'aws_iam_role=a' master_symmetric_key 'k' encrypted",
     ["MASTER_SYMMETRIC_KEY", "CREDENTIALS"]),
    ("copy t from 's3://b/k' credentials 'aws_iam_role=a;aws_access_key_id=b;aws_secret_access_key=c'",
     ["aws_iam_role cannot be combined"]),
    ("copy t from 's3://b/k' credentials 'aws_access_key_id=b'", ["go together"]),
    ("copy t from 's3://b/k' credentials 'role=x'", ["unknown key 'role'"]),
    ("copy t from 's3://b/k' credentials ''", ["CREDENTIALS needs"]),
    ("copy t from s3://b/k iam_role default", ["FROM expects a quoted string"]),
    ("copy t iam_role default", ["expected FROM"]),
    ("copy t (a, ) from 's3://b/k' iam_role default", ["column name"]),
    ("copy t from 's3://b/k iam_role default", ["unterminated"]),
])
def test_refused_statements(sql, names):
    with pytest.raises(CopySyntaxError) as err:
        parse_copy(sql)
    for name in names:
        assert name in str(err.value)


@pytest.mark.parametrize("sql, name", [
    ("copy t from 'dynamodb://Movies' iam_role default readratio 50", "dynamodb"),
    ("copy t from 's3://b/ssh_manifest' iam_role default ssh", "SSH"),
    ("copy t from 's3://b/k' iam_role default readratio 50", "READRATIO"),
    ("copy db.s.t from 's3://b/k' iam_role default", "three-part"),
])
def test_unsupported(sql, name):
    with pytest.raises(UnsupportedError, match=name):
        parse_copy(sql)


# ------------------------------------------------------------------ option order does not matter

# (keyword part, argument part): only the keyword part gets its case shuffled
OPTION_POOL = [
    ("DELIMITER AS", "'|'"), ("NULL AS", "'\\N'"), ("IGNOREHEADER", "1"), ("GZIP", ""), ("ZSTD", ""),
    ("MAXERROR AS", "10"), ("IGNOREALLERRORS", ""), ("DATEFORMAT", "'auto'"), ("TIMEFORMAT AS", "'epochsecs'"),
    ("ACCEPTINVCHARS", "'^'"), ("ACCEPTINVCHARS", ""), ("BLANKSASNULL", ""), ("EMPTYASNULL", ""),
    ("TRIMBLANKS", ""), ("TRUNCATECOLUMNS", ""), ("ROUNDEC", ""), ("COMPUPDATE", "OFF"), ("COMPUPDATE", ""),
    ("STATUPDATE", ""), ("REGION AS", "'us-west-2'"), ("ESCAPE", ""), ("ACCEPTANYDATE", ""), ("FILLRECORD", ""),
    ("IGNOREBLANKLINES", ""), ("ENCODING AS", "UTF8"), ("EXPLICIT_IDS", ""), ("COMPROWS", "1000"),
    ("NOLOAD", ""), ("REMOVEQUOTES", ""), ("MANIFEST", ""), ("CSV", ""), ("FORMAT AS CSV", ""),
    ("QUOTE AS", "'%'"), ("JSON", "'auto ignorecase'"), ("FORMAT AS JSON", ""), ("FIXEDWIDTH", "'a:1,b:2'"),
    ("FORMAT AS PARQUET", ""), ("ORC", ""), ("SERIALIZETOJSON", ""), ("IAM_ROLE", "'arn:r'"),
    ("WITH CREDENTIALS AS", "'aws_iam_role=arn:r'"), ("ACCESS_KEY_ID", "'a'"), ("SECRET_ACCESS_KEY", "'s'"),
    ("SESSION_TOKEN", "'t'"), ("ENCRYPTED", ""), ("MASTER_SYMMETRIC_KEY", "'k'"),
]


def _outcome(sql):
    try:
        return dataclasses.replace(parse_copy(sql), text="")
    except (CopySyntaxError, UnsupportedError) as e:
        return type(e)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_option_order_and_keyword_case_do_not_matter(data):
    chosen = data.draw(st.lists(st.sampled_from(OPTION_POOL), max_size=8, unique=True))
    chosen = [("IAM_ROLE", "default")] * (not any("ROLE" in k or "KEY" in k or "CRED" in k for k, _ in chosen)) + chosen
    shuffled = data.draw(st.permutations(chosen))
    cased = [(data.draw(st.sampled_from([str.lower, str.upper, str.title]))(k), a) for k, a in shuffled]
    canonical = _outcome("COPY t FROM 's3://b/k' " + " ".join(f"{k} {a}" for k, a in chosen))
    other = _outcome("copy T from 's3://b/k'\n" + "\n".join(f"{k} {a}" for k, a in cased) + ";")
    assert canonical == other


def test_a_fixed_permutation_gives_an_equal_command():
    a = parse_copy(BASE + "CSV QUOTE AS '%' GZIP IGNOREHEADER 1 DELIMITER ';' MAXERROR 5")
    b = parse_copy("COPY T FROM 's3://b/k' maxerror as 5 delimiter as ';' gzip ignoreheader as 1 quote '%' "
                   "iam_role default format as csv")
    assert dataclasses.replace(a, text="") == dataclasses.replace(b, text="")


# ------------------------------------------------------------------ secrets

SECRETS = ["AKIAPLANTED0001", "wJalrPLANTEDsecret/K7MDENG", "FwoGZPLANTEDtoken==", "MASTERPLANTEDkey+/="]
KEY_ID, SECRET, TOKEN, MASTER = SECRETS


@pytest.mark.parametrize("sql", [
    f"copy t from 's3://b/k' access_key_id '{KEY_ID}' secret_access_key '{SECRET}' session_token '{TOKEN}' "
    f"master_symmetric_key '{MASTER}' encrypted",
    f"copy t from 's3://b/k' with credentials as 'aws_access_key_id={KEY_ID};aws_secret_access_key={SECRET};"
    f"token={TOKEN};master_symmetric_key={MASTER}' encrypted",
])
def test_secrets_are_masked_but_kept(sql):
    cmd = parse_copy(sql)
    assert (cmd.credentials.access_key_id, cmd.credentials.secret_access_key, cmd.credentials.session_token,
            cmd.credentials.master_symmetric_key) == (KEY_ID, SECRET, TOKEN, MASTER)
    for secret in SECRETS:
        assert secret not in repr(cmd) and secret not in str(cmd) and secret not in cmd.text
        assert secret not in repr(cmd.credentials)
    assert "***" in cmd.text and cmd.text.startswith("copy t from 's3://b/k'")


def test_credentials_string_keeps_its_role_visible():
    cmd = parse_copy("copy t from 's3://b/k' credentials 'aws_iam_role=arn:r;master_symmetric_key=" + MASTER
                     + "' encrypted")
    assert "aws_iam_role=arn:r;master_symmetric_key=***" in cmd.text
    assert cmd.credentials.master_symmetric_key == MASTER


@pytest.mark.parametrize("sql", [
    f"copy t from 's3://b/k' access_key_id '{KEY_ID}' secret_access_key '{SECRET}' iam_role default",
    f"copy t from 's3://b/k' access_key_id '{KEY_ID}' secret_access_key '{SECRET}' bogus",
    f"copy t from 's3://b/k' access_key_id '{KEY_ID}' secret_access_key {SECRET}",
    f"copy t from 's3://b/k' access_key_id {KEY_ID} secret_access_key '{SECRET}'",
    f"copy t from 's3://b/k' access_key_id '{KEY_ID}' secret_access_key '{SECRET}",
    f"copy t from 's3://b/k' session_token '{TOKEN}' iam_role default",
    f"copy t from 's3://b/k' credentials 'aws_access_key_id={KEY_ID};{SECRET}'",
    f"copy t from 's3://b/k' credentials 'aws_access_key_id={KEY_ID};aws_secret_access_key={SECRET};x={TOKEN}'",
    f"copy t from 's3://b/k' credentials 'aws_iam_role=r' master_symmetric_key '{MASTER}' encrypted",
    f"copy t from 's3://b/k' master_symmetric_key '{MASTER}' iam_role default",
    f"copy t from 's3://b/k' access_key_id '{KEY_ID}' secret_access_key '{SECRET}' JOB CREATE j",
    f"copy t from 'emr://x' access_key_id '{KEY_ID}' secret_access_key '{SECRET}'",
    f"copy t from 's3://b/k' access_key_id '{KEY_ID}' secret_access_key '{SECRET}' csv removequotes",
])
def test_secrets_never_reach_error_messages(sql):
    with pytest.raises((CopySyntaxError, UnsupportedError)) as err:
        parse_copy(sql)
    for secret in SECRETS:
        assert secret not in str(err.value)


def test_backslash_in_a_literal_is_kept_and_does_not_escape_the_quote():
    """AMBIG: only the doubled quote escapes inside a literal; a backslash stays as written."""
    cmd = parse_copy("copy t from 's3://b/k' iam_role default null as '\\' delimiter 'x'")
    assert (cmd.null_as, cmd.delimiter) == ("\\", "x")
    assert parse_copy("copy t from 's3://b/it''s' iam_role default").source == "s3://b/it's"
