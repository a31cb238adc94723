"""UNLOAD grammar: AWS's own examples, option order, refused combinations, secrets."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwhkit.copy.options import Credentials, UnloadCommand
from dwhkit.copy.unload_grammar import UNLOAD_PARAMS, is_unload_statement, parse_unload
from dwhkit.errors import CopySyntaxError

ROLE = "arn:aws:iam::0123456789012:role/MyRedshiftRole"
IAM = Credentials("iam_role", iam_role=ROLE)
VENUE = "select * from venue"


def U(query, destination, **fields):
    fields.setdefault("credentials", IAM)
    return UnloadCommand(query=query, destination=destination, **fields)


# Every statement on AWS's "UNLOAD examples" page (awsdocs/amazon-redshift-developer-guide,
# doc_source/r_UNLOAD_command_examples.md; the union of its stored versions @ 0b81435 and
# @ 658e68d: the first adds the JSON example, the second the temporary-credentials one).
UNLOAD_EXAMPLES = [
    ("pipe-default", """unload ('select * from venue')
to 's3://mybucket/unload/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""", U(VENUE, "s3://mybucket/unload/")),
    ("prefix", """unload ('select * from venue')
to 's3://mybucket/unload/venue_pipe_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""", U(VENUE, "s3://mybucket/unload/venue_pipe_")),
    ("parquet-partitioned", """unload ('select * from lineitem')
to 's3://mybucket/lineitem/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
PARQUET
PARTITION BY (l_shipdate);""", U("select * from lineitem", "s3://mybucket/lineitem/", format="PARQUET",
                                 partition_by=("l_shipdate",))),
    ("parquet-partitioned-include", """unload ('select * from lineitem')
to 's3://mybucket/lineitem/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
PARQUET
PARTITION BY (l_shipdate) INCLUDE;""", U("select * from lineitem", "s3://mybucket/lineitem/", format="PARQUET",
                                         partition_by=("l_shipdate",), partition_include=True)),
    ("json", """unload ('select * from venue')
to 's3://mybucket/unload/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
JSON;""", U(VENUE, "s3://mybucket/unload/", format="JSON")),
    ("csv", """unload ('select * from venue')
to 's3://mybucket/unload/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
CSV;""", U(VENUE, "s3://mybucket/unload/", format="CSV")),
    ("csv-delimiter", """unload ('select * from venue')
to 's3://mybucket/unload/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
CSV DELIMITER AS '|';""", U(VENUE, "s3://mybucket/unload/", format="CSV", delimiter="|")),
    ("manifest", """unload ('select * from venue')
to 's3://mybucket/venue_pipe_' iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
manifest;""", U(VENUE, "s3://mybucket/venue_pipe_", manifest=True)),
    ("manifest-verbose", """unload ('select * from venue')
to 's3://mybucket/unload_venue_folder/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
manifest verbose;""", U(VENUE, "s3://mybucket/unload_venue_folder/", manifest=True, manifest_verbose=True)),
    ("header", """unload ('select * from venue where venueseats > 75000')
to 's3://mybucket/unload/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
header
parallel off;""", U("select * from venue where venueseats > 75000", "s3://mybucket/unload/", header=True,
                    parallel=False)),
    ("maxfilesize", """unload ('select * from venue')
to 's3://mybucket/unload/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
maxfilesize 1 gb;""", U(VENUE, "s3://mybucket/unload/", maxfilesize_mb=1024.0)),
    ("serial", """unload ('select * from venue')
to 's3://mybucket/unload/venue_serial_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
parallel off;""", U(VENUE, "s3://mybucket/unload/venue_serial_", parallel=False)),
    ("serial-gzip", """unload ('select * from lineorder')
to 's3://mybucket/unload/lineorder_serial_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
parallel off gzip;""", U("select * from lineorder", "s3://mybucket/unload/lineorder_serial_", parallel=False,
                         compression="GZIP")),
    ("serial-prefix", """unload ('select * from venue')
to 's3://mybucket/unload/venue_pipe_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""", U(VENUE, "s3://mybucket/unload/venue_pipe_")),
    ("kms", """unload ('select * from venue')
to 's3://mybucket/venue_encrypt_kms'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
kms_key_id '1234abcd-12ab-34cd-56ef-1234567890ab'
manifest
encrypted;""", U(VENUE, "s3://mybucket/venue_encrypt_kms", kms_key_id="1234abcd-12ab-34cd-56ef-1234567890ab",
                 manifest=True, encrypted=True)),
    ("master-key", """unload ('select * from venue')
to 's3://mybucket/venue_encrypt_cmk'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
master_symmetric_key 'EXAMPLEMASTERKEYtkbjk/OpCwtYSx/M4/t7DMCDIK722'
encrypted;""", U(VENUE, "s3://mybucket/venue_encrypt_cmk", encrypted=True, credentials=Credentials(
        "iam_role", iam_role=ROLE, master_symmetric_key="EXAMPLEMASTERKEYtkbjk/OpCwtYSx/M4/t7DMCDIK722"))),
    ("tab", """unload ('select venueid, venuename, venueseats from venue')
to 's3://mybucket/venue_tab_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter as '\\t';""", U("select venueid, venuename, venueseats from venue", "s3://mybucket/venue_tab_",
                          delimiter="\t")),
    ("temporary-credentials", """unload ('select venueid, venuename, venueseats from venue')
to 's3://mybucket/venue_tab' credentials
'aws_access_key_id=<temporary-access-key-id>;aws_secret_access_key=<temporary-secret-access-key>;token=<temporary-token>'
delimiter as '\\t';""", U("select venueid, venuename, venueseats from venue", "s3://mybucket/venue_tab",
                          delimiter="\t", credentials=Credentials(
                              "credentials", access_key_id="<temporary-access-key-id>",
                              secret_access_key="<temporary-secret-access-key>",
                              session_token="<temporary-token>"))),
    ("fixedwidth", """unload ('select * from venue')
to 's3://mybucket/venue_fw_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
fixedwidth as 'venueid:3,venuename:39,venuecity:16,venuestate:2,venueseats:6';""", U(
        VENUE, "s3://mybucket/venue_fw_",
        fixedwidth_spec="venueid:3,venuename:39,venuecity:16,venuestate:2,venueseats:6")),
    ("tab-gzip", """unload ('select * from venue')
to 's3://mybucket/venue_tab_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter as '\\t'
gzip;""", U(VENUE, "s3://mybucket/venue_tab_", delimiter="\t", compression="GZIP")),
    ("extension-gzip", """unload ('select * from venue')
to 's3://mybucket/venue_tab_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
extension 'txt.gz'
gzip;""", U(VENUE, "s3://mybucket/venue_tab_", extension="txt.gz", compression="GZIP")),
    ("addquotes", """unload ('select id, location from location')
to 's3://mybucket/location_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
delimiter ',' addquotes;""", U("select id, location from location", "s3://mybucket/location_", delimiter=",",
                               addquotes=True)),
    ("join-query", """unload ('select venuecity, venuestate, caldate, pricepaid,
sum(pricepaid) over(partition by venuecity, venuestate
order by caldate rows between 3 preceding and 3 following) as winsum
from sales join date on sales.dateid=date.dateid
join event on event.eventid=sales.eventid
join venue on event.venueid=venue.venueid
order by 1,2')
to 's3://mybucket/tickit/winsum'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""", U(
        "select venuecity, venuestate, caldate, pricepaid,\nsum(pricepaid) over(partition by venuecity, venuestate\n"
        "order by caldate rows between 3 preceding and 3 following) as winsum\n"
        "from sales join date on sales.dateid=date.dateid\njoin event on event.eventid=sales.eventid\n"
        "join venue on event.venueid=venue.venueid\norder by 1,2", "s3://mybucket/tickit/winsum")),
    ("null-as", """unload ('select * from venue')
to 's3://mybucket/nulls/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
null as 'fred';""", U(VENUE, "s3://mybucket/nulls/", null_as="fred")),
    ("allowoverwrite", """unload ('select * from venue')
to 's3://mybucket/nulls/'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole' allowoverwrite;""", U(
        VENUE, "s3://mybucket/nulls/", allowoverwrite=True)),
    ("manifest-allowoverwrite", """unload ('select * from venue')
to 's3://mybucket/venue_pipe_'
iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole'
manifest allowoverwrite;""", U(VENUE, "s3://mybucket/venue_pipe_", manifest=True, allowoverwrite=True)),
]

# The UNLOAD statements of the reference page itself (doc_source/r_UNLOAD.md)
REFERENCE_PAGE = [
    ("doubled-quotes", """unload ('select * from venue where venuestate=''NV''')
to 's3://mybucket/venue_pipe_' iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""",
     U("select * from venue where venuestate='NV'", "s3://mybucket/venue_pipe_")),
    # Redshift refuses an outer LIMIT when it runs the query; the grammar leaves that to the executor
    ("outer-limit", """unload ('select * from venue limit 10')
to 's3://mybucket/venue_pipe_' iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""",
     U("select * from venue limit 10", "s3://mybucket/venue_pipe_")),
    ("nested-limit", """unload ('select * from venue where venueid in
(select venueid from venue order by venueid desc limit 10)')
to 's3://mybucket/venue_pipe_' iam_role 'arn:aws:iam::0123456789012:role/MyRedshiftRole';""",
     U("select * from venue where venueid in\n(select venueid from venue order by venueid desc limit 10)",
       "s3://mybucket/venue_pipe_")),
    ("hll-csv", """UNLOAD ('select * from hll_table') TO 's3://mybucket/unload/'
IAM_ROLE 'arn:aws:iam::0123456789012:role/MyRedshiftRole' NULL AS 'null' ALLOWOVERWRITE CSV;""",
     U("select * from hll_table", "s3://mybucket/unload/", null_as="null", allowoverwrite=True, format="CSV")),
]


@pytest.mark.parametrize("sql, expected", [(s, e) for _, s, e in UNLOAD_EXAMPLES + REFERENCE_PAGE],
                         ids=[i for i, _, _ in UNLOAD_EXAMPLES + REFERENCE_PAGE])
def test_aws_examples(sql, expected):
    assert is_unload_statement(sql)
    cmd = parse_unload(sql)
    assert dataclasses.replace(cmd, text="") == expected, cmd


@pytest.mark.parametrize("clause, field, value", [
    ("FORMAT AS PARQUET", "format", "PARQUET"),
    ("FORMAT CSV", "format", "CSV"),
    ("format as json", "format", "JSON"),
    ("PARALLEL", "parallel", True),
    ("PARALLEL TRUE", "parallel", True),
    ("PARALLEL FALSE", "parallel", False),
    ("PARALLEL ON", "parallel", True),
    ("MAXFILESIZE AS 100", "maxfilesize_mb", 100.0),
    ("MAXFILESIZE 6.2 GB", "maxfilesize_mb", 6.2 * 1024),
    ("MAXFILESIZE 5 MB", "maxfilesize_mb", 5.0),
    ("PARQUET ROWGROUPSIZE AS 64 MB", "rowgroupsize_mb", 64.0),
    ("ENCRYPTED AUTO", "encrypted_auto", True),
    ("ENCRYPTED", "encrypted", True),        # AMBIG: no key named is accepted for UNLOAD
    ("ZSTD", "compression", "ZSTD"),
    ("BZIP2", "compression", "BZIP2"),
    ("REGION AS 'eu-west-1'", "region", "eu-west-1"),
    ("NULL '\\N'", "null_as", "\\N"),
    ("ESCAPE", "escape", True),
    ("CLEANPATH", "cleanpath", True),
    ("DELIMITER '\\011'", "delimiter", "\t"),
    ("PARTITION BY (a, \"B\", c)", "partition_by", ("a", "b", "c")),
    ("HEADER CSV", "header", True),
])
def test_option_spellings(clause, field, value):
    assert getattr(parse_unload(f"UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default {clause}"), field) == value


def test_not_given_is_none():
    cmd = parse_unload("UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default")
    fields = {f.name for f in dataclasses.fields(cmd)} - {"query", "destination", "credentials", "text"}
    assert all(getattr(cmd, f) is None for f in fields)


def test_every_parameter_in_the_table_parses():
    args = {"DELIMITER": "','", "FIXEDWIDTH": "'a:1'", "KMS_KEY_ID": "'k' ENCRYPTED", "NULL": "AS ''",
            "MAXFILESIZE": "10", "ROWGROUPSIZE": "32 PARQUET", "REGION": "'r'", "EXTENSION": "'csv'",
            "PARTITION": "BY (a)", "MASTER_SYMMETRIC_KEY": "'k' ENCRYPTED"}
    bare = dataclasses.replace(parse_unload("UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default"), text="")
    for kw in UNLOAD_PARAMS:
        if kw in ("IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN"):
            continue
        command = parse_unload(f"UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default {kw} {args.get(kw, '')}")
        # each parameter is recorded, not just tolerated: the command differs from the bare one
        assert dataclasses.replace(command, text="") != bare, kw


BASE = "UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default "


@pytest.mark.parametrize("options, names", [
    # CSV with FIXEDWIDTH / ADDQUOTES
    ("CSV FIXEDWIDTH 'a:1'", ["CSV", "FIXEDWIDTH"]),
    ("ADDQUOTES FORMAT AS CSV", ["CSV", "ADDQUOTES"]),
    # PARQUET with DELIMITER / FIXEDWIDTH / ADDQUOTES / ESCAPE / NULL AS / HEADER / compression
    ("PARQUET DELIMITER ','", ["PARQUET", "DELIMITER"]),
    ("PARQUET FIXEDWIDTH 'a:1'", ["PARQUET", "FIXEDWIDTH"]),
    ("PARQUET ADDQUOTES", ["PARQUET", "ADDQUOTES"]),
    ("PARQUET ESCAPE", ["PARQUET", "ESCAPE"]),
    ("PARQUET NULL AS 'x'", ["PARQUET", "NULL AS"]),
    ("HEADER PARQUET", ["PARQUET", "HEADER"]),
    ("PARQUET GZIP", ["PARQUET", "GZIP"]),
    ("PARQUET BZIP2", ["PARQUET", "BZIP2"]),
    ("ZSTD FORMAT PARQUET", ["PARQUET", "ZSTD"]),
    ("PARQUET MASTER_SYMMETRIC_KEY 'k' ENCRYPTED", ["PARQUET", "MASTER_SYMMETRIC_KEY"]),
    # JSON with DELIMITER / HEADER / FIXEDWIDTH / ADDQUOTES / ESCAPE / NULL AS
    ("JSON DELIMITER ','", ["JSON", "DELIMITER"]),
    ("JSON HEADER", ["JSON", "HEADER"]),
    ("JSON FIXEDWIDTH 'a:1'", ["JSON", "FIXEDWIDTH"]),
    ("JSON ADDQUOTES", ["JSON", "ADDQUOTES"]),
    ("JSON ESCAPE", ["JSON", "ESCAPE"]),
    ("JSON NULL 'x'", ["JSON", "NULL AS"]),
    # FIXEDWIDTH with DELIMITER / HEADER
    ("FIXEDWIDTH 'a:1' DELIMITER '|'", ["FIXEDWIDTH", "DELIMITER"]),
    ("FIXEDWIDTH 'a:1' HEADER", ["FIXEDWIDTH", "HEADER"]),
    # CLEANPATH with ALLOWOVERWRITE
    ("CLEANPATH ALLOWOVERWRITE", ["CLEANPATH", "ALLOWOVERWRITE"]),
    # encryption
    ("KMS_KEY_ID 'k'", ["KMS_KEY_ID", "requires ENCRYPTED"]),
    ("MASTER_SYMMETRIC_KEY 'k'", ["MASTER_SYMMETRIC_KEY", "requires ENCRYPTED"]),
    ("ENCRYPTED AUTO KMS_KEY_ID 'k'", ["ENCRYPTED AUTO", "KMS_KEY_ID"]),
    ("ENCRYPTED AUTO MASTER_SYMMETRIC_KEY 'k'", ["ENCRYPTED AUTO", "MASTER_SYMMETRIC_KEY"]),
    ("KMS_KEY_ID 'k' MASTER_SYMMETRIC_KEY 'm' ENCRYPTED", ["KMS_KEY_ID", "MASTER_SYMMETRIC_KEY"]),
    # sizes and values
    ("MAXFILESIZE 4 MB", ["MAXFILESIZE", "5 MB"]),
    ("MAXFILESIZE 7 GB", ["MAXFILESIZE", "6348.8 MB"]),
    ("PARQUET ROWGROUPSIZE 256", ["ROWGROUPSIZE", "128 MB"]),
    ("ROWGROUPSIZE 64", ["ROWGROUPSIZE", "requires PARQUET"]),
    ("DELIMITER 'ab'", ["DELIMITER", "one ASCII character"]),
    ("PARALLEL MAYBE", ["unknown UNLOAD option MAYBE"]),
    # structure
    ("VERBOSE", ["unknown UNLOAD option VERBOSE"]),       # only right after MANIFEST
    ("PARTITION (a)", ["expected BY after PARTITION"]),
    ("PARTITION BY a", ["expected '('"]),
    ("CSV CSV", ["duplicate option CSV"]),
    ("CSV JSON", ["JSON", "CSV", "only one format"]),
    ("GZIP BZIP2", ["BZIP2", "GZIP", "only one compression"]),
    ("FORMAT AS AVRO", ["after FORMAT"]),
    ("LZOP", ["unknown UNLOAD option LZOP"]),
    ("REMOVEQUOTES", ["unknown UNLOAD option REMOVEQUOTES"]),
    ("IAM_ROLE 'arn:x'", ["duplicate option IAM_ROLE"]),
])
def test_refused(options, names):
    with pytest.raises(CopySyntaxError) as err:
        parse_unload(BASE + options)
    assert "at line 1, column " in str(err.value) and str(err.value).endswith("^")
    for name in names:
        assert name in str(err.value)


@pytest.mark.parametrize("sql, names", [
    ("UNLOAD ('select 1') TO 's3://b/p'", ["needs an authorization"]),
    ("UNLOAD ('select 1') TO 's3://b/p' CREDENTIALS 'aws_iam_role=a' KMS_KEY_ID 'k' ENCRYPTED",
     ["KMS_KEY_ID", "CREDENTIALS"]),
    ("UNLOAD ('select 1') TO 's3://b/p' CREDENTIALS 'aws_iam_role=a;master_symmetric_key=m' ENCRYPTED AUTO",
     ["ENCRYPTED AUTO", "master_symmetric_key"]),
    ("UNLOAD ('select 1') TO 's3://b/p' CREDENTIALS 'aws_iam_role=a;master_symmetric_key=m' PARQUET ENCRYPTED",
     ["PARQUET", "SSE-KMS"]),
    ("UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default ACCESS_KEY_ID 'a' SECRET_ACCESS_KEY 's'",
     ["only one authorization"]),
    ("UNLOAD 'select 1' TO 's3://b/p' IAM_ROLE default", ["expected '('"]),
    ("UNLOAD (select 1) TO 's3://b/p' IAM_ROLE default", ["quoted string"]),
    ("UNLOAD ('select 1') 's3://b/p' IAM_ROLE default", ["expected TO"]),
    ("UNLOAD ('select 1') TO '/tmp/x' IAM_ROLE default", ["s3://"]),
    ("UNLOAD ('select ''x') TO 's3://b/p IAM_ROLE default", ["unterminated"]),
])
def test_refused_statements(sql, names):
    with pytest.raises(CopySyntaxError) as err:
        parse_unload(sql)
    for name in names:
        assert name in str(err.value)


# ------------------------------------------------------------------ option order does not matter

OPTION_POOL = [
    ("FORMAT AS CSV", ""), ("CSV", ""), ("JSON", ""), ("FORMAT PARQUET", ""), ("PARTITION BY", "(a, b)"),
    ("PARTITION BY", "(c) INCLUDE"), ("MANIFEST", ""), ("MANIFEST VERBOSE", ""), ("HEADER", ""),
    ("DELIMITER AS", "'|'"), ("FIXEDWIDTH AS", "'a:1'"), ("ENCRYPTED", ""), ("ENCRYPTED AUTO", ""),
    ("KMS_KEY_ID", "'k'"), ("GZIP", ""), ("ZSTD", ""), ("ADDQUOTES", ""), ("NULL AS", "'n'"), ("ESCAPE", ""),
    ("ALLOWOVERWRITE", ""), ("CLEANPATH", ""), ("PARALLEL", "OFF"), ("PARALLEL", ""), ("MAXFILESIZE AS", "10 MB"),
    ("ROWGROUPSIZE", "64"), ("REGION", "'us-east-1'"), ("EXTENSION", "'csv'"), ("MASTER_SYMMETRIC_KEY", "'m'"),
    ("WITH CREDENTIALS", "'aws_iam_role=arn:r'"), ("ACCESS_KEY_ID", "'a'"), ("SECRET_ACCESS_KEY", "'s'"),
]


def _outcome(sql):
    try:
        return dataclasses.replace(parse_unload(sql), text="")
    except CopySyntaxError as e:
        return type(e)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_option_order_and_keyword_case_do_not_matter(data):
    chosen = data.draw(st.lists(st.sampled_from(OPTION_POOL), max_size=7, unique=True))
    chosen = [("IAM_ROLE", "default")] * (not any("KEY" in k or "CRED" in k for k, _ in chosen)) + chosen
    shuffled = data.draw(st.permutations(chosen))
    cased = [(data.draw(st.sampled_from([str.lower, str.upper, str.title]))(k), a) for k, a in shuffled]
    canonical = _outcome("UNLOAD ('select 1') TO 's3://b/p' " + " ".join(f"{k} {a}" for k, a in chosen))
    other = _outcome("unload ( 'select 1' )\nto 's3://b/p'\n" + "\n".join(f"{k} {a}" for k, a in cased) + ";")
    assert canonical == other


# ------------------------------------------------------------------ secrets

KEY_ID, SECRET, TOKEN, MASTER = "AKIAPLANTED0001", "wJalrPLANTEDsecret/K7", "FwoGZPLANTEDtoken==", "MASTERPLANTED+/="


@pytest.mark.parametrize("sql", [
    f"UNLOAD ('select 1') TO 's3://b/p' ACCESS_KEY_ID '{KEY_ID}' SECRET_ACCESS_KEY '{SECRET}' "
    f"SESSION_TOKEN '{TOKEN}' MASTER_SYMMETRIC_KEY '{MASTER}' ENCRYPTED",
    f"UNLOAD ('select 1') TO 's3://b/p' CREDENTIALS 'aws_access_key_id={KEY_ID};aws_secret_access_key={SECRET};"
    f"token={TOKEN};master_symmetric_key={MASTER}' ENCRYPTED",
])
def test_secrets_are_masked_but_kept(sql):
    cmd = parse_unload(sql)
    assert cmd.credentials.secret_access_key == SECRET and cmd.credentials.master_symmetric_key == MASTER
    for secret in (KEY_ID, SECRET, TOKEN, MASTER):
        assert secret not in repr(cmd) and secret not in cmd.text
    assert "***" in cmd.text


@pytest.mark.parametrize("sql", [
    f"UNLOAD ('select 1') TO 's3://b/p' ACCESS_KEY_ID '{KEY_ID}' SECRET_ACCESS_KEY '{SECRET}' CSV FIXEDWIDTH 'a:1'",
    f"UNLOAD ('select 1') TO 's3://b/p' ACCESS_KEY_ID '{KEY_ID}' SECRET_ACCESS_KEY {SECRET}",
    f"UNLOAD ('select 1') TO 's3://b/p' ACCESS_KEY_ID '{KEY_ID}' SECRET_ACCESS_KEY '{SECRET}",
    f"UNLOAD ('select 1') TO 's3://b/p' CREDENTIALS 'aws_iam_role=r' MASTER_SYMMETRIC_KEY '{MASTER}' ENCRYPTED",
    f"UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default MASTER_SYMMETRIC_KEY '{MASTER}' ENCRYPTED AUTO",
])
def test_secrets_never_reach_error_messages(sql):
    with pytest.raises(CopySyntaxError) as err:
        parse_unload(sql)
    for secret in (KEY_ID, SECRET, TOKEN, MASTER):
        assert secret not in str(err.value)


def test_kms_key_id_is_an_identifier_not_a_secret():
    """Deliberate: KMS_KEY_ID names a key (it holds no key material), so it stays in text."""
    cmd = parse_unload(BASE + "KMS_KEY_ID '1234abcd' ENCRYPTED")
    assert "'1234abcd'" in cmd.text and cmd.kms_key_id == "1234abcd"
