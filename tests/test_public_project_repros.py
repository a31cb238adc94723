"""Minimal reproductions of what stopped public Redshift course projects (Sparkify "data warehouse"
projects: sql_queries.py + the course's song_data/log_data JSON) when run unmodified through
dwhkit.connect() with their data on a local S3. The projects themselves are not in the repository;
each test is our own smallest statement showing the mechanism.

Two kinds of failure:
- dwhkit differs from Redshift: xfail(strict=True) with the reason, until the translator or the
  COPY emulation is fixed (the fix is not this module's to make);
- the project is wrong on Redshift too (a typo, a table-name mismatch, a NOT NULL column fed NULLs):
  the test checks dwhkit refuses it as Redshift does, so the failure stays loud.
"""
from __future__ import annotations

import json

import pytest

import dwhkit
from dwhkit.errors import LoadError

ROLE = "arn:aws:iam::123456789012:role/dwhRole"


@pytest.fixture
def conn(dwh_config):
    c = dwhkit.connect(dwh_config)
    yield c
    c.close()


def run(conn, *sqls):
    cur = conn.cursor()
    for sql in sqls:
        cur.execute(sql)
    rows = cur.fetchall() if cur.description is not None else None
    conn.commit()
    return rows


def put_json_lines(s3, bucket, key, *objs):
    s3.put_object(Bucket=bucket, Key=key, Body="\n".join(json.dumps(o) for o in objs).encode())


# --- dwhkit differs from Redshift ------------------------------------------------------------

def test_json_number_with_fraction_loads_into_bigint(conn, s3, bucket):
    # AbdullahMH21/Cloud-Data-Warehouse-AWS: staging_events.registration BIGINT, log_data has 1540919166796.0
    # https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-json.html
    put_json_lines(s3, bucket, "log/a.json", {"registration": 1540919166796.0, "userid": "7"})
    run(conn, "CREATE TABLE staging_events (registration BIGINT, userid INTEGER)",
        f"COPY staging_events FROM 's3://{bucket}/log/' IAM_ROLE '{ROLE}' JSON 'auto' REGION 'us-west-2'")
    assert run(conn, "SELECT registration, userid FROM staging_events") == [(1540919166796, 7)]


def test_varchar_epoch_in_arithmetic(conn):
    # AbhaRamchandani/Cloud-Data-Warehouse: staging_events.ts VARCHAR(100), then
    # TIMESTAMP 'epoch' + ts/1000 * INTERVAL '1 second' inside a FROM subquery
    run(conn, "CREATE TABLE se (ts VARCHAR(100))", "INSERT INTO se VALUES ('1541105830796')")
    got = run(conn, "SELECT DATE_TRUNC('second', start_time) FROM (SELECT TIMESTAMP 'epoch' + ts/1000 "
                    "* INTERVAL '1 second' AS start_time FROM se s)")
    assert str(got[0][0]) == "2018-11-01 20:57:10"


def test_to_char_of_varchar_number(conn):
    # Abanoub-20180003/Cloud-Data-Warehouse-on-AWS: TO_CHAR(se.ts, '9999-99-99 99:99:99') with ts VARCHAR
    run(conn, "CREATE TABLE se (ts VARCHAR)", "INSERT INTO se VALUES ('125')")
    assert run(conn, "SELECT TO_CHAR(ts, '999') FROM se") == [(" 125",)]


# --- the project is wrong on Redshift too: dwhkit must refuse it the same way -------------------

def test_epoch_number_into_timestamp_without_timeformat_is_a_load_error(conn, s3, bucket):
    # AaminRepos/AWS_DataWareHouse_UdacityProject, AbdullahMu/Cloud-Data-Warehouse-with-AWS: ts TIMESTAMP
    # loaded without TIMEFORMAT 'epochmillisecs'. The default TIMESTAMP format is 'YYYY-MM-DD HH:MI:SS' and
    # 'auto' does not parse epochs (r_DATEFORMAT_and_TIMEFORMAT_strings): error 1206.
    put_json_lines(s3, bucket, "log/a.json", {"ts": 1541105830796})
    run(conn, "CREATE TABLE staging_events (ts TIMESTAMP)")
    with pytest.raises(LoadError) as info:
        run(conn, f"COPY staging_events FROM 's3://{bucket}/log/' IAM_ROLE '{ROLE}' JSON 'auto'")
    assert "1206" in str(info.value)


def test_epoch_number_with_timeformat_epochmillisecs_loads(conn, s3, bucket):
    # the same data with the TIMEFORMAT the other projects give (the fix those two projects needed)
    put_json_lines(s3, bucket, "log/a.json", {"ts": 1541105830796})
    run(conn, "CREATE TABLE staging_events (ts TIMESTAMP)",
        f"COPY staging_events FROM 's3://{bucket}/log/' IAM_ROLE '{ROLE}' JSON 'auto' TIMEFORMAT AS 'epochmillisecs'")
    assert str(run(conn, "SELECT ts FROM staging_events")[0][0]) == "2018-11-01 20:57:10.796000"


def test_copy_into_a_table_that_was_created_under_another_name_fails(conn, s3, bucket):
    # AbElRmMoFa/AWS-Data-Warehouse-with-Redshift-cluster: CREATE TABLE staging_events_table, COPY staging_events
    put_json_lines(s3, bucket, "log/a.json", {"ts": 1})
    run(conn, "CREATE TABLE staging_events_table (ts BIGINT)")
    with pytest.raises(Exception, match="staging_events"):
        run(conn, f"COPY staging_events FROM 's3://{bucket}/log/' IAM_ROLE '{ROLE}' JSON 'auto'")


def test_misspelt_distinct_is_an_unknown_function(conn):
    # Abdelrahman13-coder/Data-Warehouse-on-AWS: SELECT DISTINCE(e.ts) ...
    run(conn, "CREATE TABLE e (ts TIMESTAMP)")
    with pytest.raises(Exception, match="(?i)distince"):
        run(conn, "SELECT DISTINCE(e.ts) FROM e")


def test_left_join_feeding_a_not_null_column_fails_and_inserts_nothing(conn):
    # AbdelrahmankhaledDA/AWS_Data_Warehouse: LEFT JOIN staging_songs on a column that never matches, into
    # songplay.song_id NOT NULL. Redshift enforces NOT NULL (unlike PRIMARY KEY / UNIQUE).
    run(conn, "CREATE TABLE ev (song VARCHAR, artist VARCHAR)", "CREATE TABLE so (title VARCHAR, artist_id VARCHAR, "
        "song_id VARCHAR)", "CREATE TABLE songplay (song_id VARCHAR NOT NULL)",
        "INSERT INTO ev VALUES ('t', 'Artist 1')", "INSERT INTO so VALUES ('t', 'AR1', 'SO1')")
    with pytest.raises(Exception, match="(?i)null"):
        run(conn, "INSERT INTO songplay SELECT s.song_id FROM ev e LEFT JOIN so s ON e.song = s.title "
                  "AND e.artist = s.artist_id")
    conn.rollback()
    assert run(conn, "SELECT COUNT(*) FROM songplay") == [(0,)]


def test_column_attributes_without_separating_comma_are_a_syntax_error(conn):
    # Aboalarbe/Sparkify-ETL-Pipeline-on-AWS-Redshift: "start_time NUMERIC NOT NULL SORTKEY user_id INT DISTKEY level ..."
    with pytest.raises(Exception, match="(?i)syntax"):
        run(conn, "CREATE TABLE songplays (songplay_id INT IDENTITY(0,1) PRIMARY KEY, start_time NUMERIC NOT NULL "
                  "SORTKEY user_id INT DISTKEY level VARCHAR NOT NULL)")


def test_select_list_without_separating_comma_is_a_syntax_error(conn):
    # AchalSuresh/Data-Warehouse-Using-AWS: "md5(...) AS songplay_id TIMESTAMP 'epoch' + ..."
    run(conn, "CREATE TABLE ev (sessionid INT, ts BIGINT)")
    with pytest.raises(Exception, match="(?i)syntax"):
        run(conn, "SELECT md5(sessionid || ts) AS songplay_id TIMESTAMP 'epoch' + ts/1000 * INTERVAL '1 second' "
                  "AS start_time FROM ev")


def test_json_auto_matches_keys_to_column_names_only(conn, s3, bucket):
    # Abo7atm/DEND-Data-Warehouse: staging_songs.artists_id while the song_data key is artist_id, so
    # JSON 'auto' leaves the column NULL and the artists table ends up empty (as on Redshift: 'auto'
    # matches object keys to column names; copy-parameters-data-format, JSON 'auto').
    put_json_lines(s3, bucket, "song/a.json", {"artist_id": "AR1", "title": "t"})
    run(conn, "CREATE TABLE staging_songs (artists_id TEXT, title TEXT)",
        f"COPY staging_songs FROM 's3://{bucket}/song/' CREDENTIALS 'aws_iam_role={ROLE}' REGION 'us-west-2' "
        "FORMAT AS JSON 'auto'")
    assert run(conn, "SELECT artists_id, title FROM staging_songs") == [(None, "t")]
