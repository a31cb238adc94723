"""A classic course-style star-schema project (Sparkify: staging_events + staging_songs from JSON,
songplays/users/songs/artists/time) runs UNMODIFIED on a Postgres target through dwhkit.connect().

The SQL below is written the way public course repositories write it — lower-case keywords,
`credentials 'aws_iam_role=…'`, a bracket-notation jsonpaths file, `timeformat as 'epochmillisecs'`,
column-level SORTKEY/DISTKEY, IDENTITY(0,1), VARCHAR(MAX), `diststyle all` — and is not edited for us.
"""
from __future__ import annotations

import json
import random

import pytest

import dwhkit
import dwhkit.errors

ROLE = "arn:aws:iam::123456789012:role/dwhRole"

# ---- sql_queries.py, as such projects write it -----------------------------------------------
staging_events_table_drop = "DROP TABLE IF EXISTS staging_events"
staging_songs_table_drop = "DROP TABLE IF EXISTS staging_songs"
songplay_table_drop = "DROP TABLE IF EXISTS songplays"
user_table_drop = "DROP TABLE IF EXISTS users"
song_table_drop = "DROP TABLE IF EXISTS songs"
artist_table_drop = "DROP TABLE IF EXISTS artists"
time_table_drop = "DROP TABLE IF EXISTS time"

staging_events_table_create = ("""
CREATE TABLE IF NOT EXISTS staging_events (
    artist          VARCHAR,
    auth            VARCHAR,
    firstName       VARCHAR,
    gender          VARCHAR,
    itemInSession   INTEGER,
    lastName        VARCHAR,
    length          FLOAT,
    level           VARCHAR,
    location        VARCHAR,
    method          VARCHAR,
    page            VARCHAR,
    registration    FLOAT,
    sessionId       INTEGER,
    song            VARCHAR,
    status          INTEGER,
    ts              TIMESTAMP,
    userAgent       VARCHAR,
    userId          INTEGER
);
""")

staging_songs_table_create = ("""
CREATE TABLE IF NOT EXISTS staging_songs (
    num_songs           INTEGER,
    artist_id           VARCHAR,
    artist_latitude     FLOAT,
    artist_longitude    FLOAT,
    artist_location     VARCHAR(MAX),
    artist_name         VARCHAR(MAX),
    song_id             VARCHAR,
    title               VARCHAR(MAX),
    duration            FLOAT,
    year                INTEGER
);
""")

songplay_table_create = ("""
CREATE TABLE IF NOT EXISTS songplays (
    songplay_id INTEGER IDENTITY(0,1) PRIMARY KEY,
    start_time  TIMESTAMP NOT NULL SORTKEY DISTKEY,
    user_id     INTEGER NOT NULL,
    level       VARCHAR,
    song_id     VARCHAR,
    artist_id   VARCHAR,
    session_id  INTEGER,
    location    VARCHAR,
    user_agent  VARCHAR
);
""")

user_table_create = ("""
CREATE TABLE IF NOT EXISTS users (
    user_id     INTEGER NOT NULL SORTKEY PRIMARY KEY,
    first_name  VARCHAR NOT NULL,
    last_name   VARCHAR NOT NULL,
    gender      VARCHAR,
    level       VARCHAR
) diststyle all;
""")

song_table_create = ("""
CREATE TABLE IF NOT EXISTS songs (
    song_id     VARCHAR NOT NULL SORTKEY PRIMARY KEY,
    title       VARCHAR(MAX) NOT NULL,
    artist_id   VARCHAR NOT NULL,
    year        INTEGER NOT NULL,
    duration    FLOAT
) diststyle all;
""")

artist_table_create = ("""
CREATE TABLE IF NOT EXISTS artists (
    artist_id   VARCHAR NOT NULL SORTKEY PRIMARY KEY,
    name        VARCHAR(MAX) NOT NULL,
    location    VARCHAR(MAX),
    latitude    FLOAT,
    longitude   FLOAT
) diststyle all;
""")

time_table_create = ("""
CREATE TABLE IF NOT EXISTS time (
    start_time  TIMESTAMP NOT NULL DISTKEY SORTKEY PRIMARY KEY,
    hour        INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    week        INTEGER NOT NULL,
    month       INTEGER NOT NULL,
    year        INTEGER NOT NULL,
    weekday     VARCHAR(20) NOT NULL
) diststyle key;
""")

STAGING_EVENTS_COPY = ("""
    copy staging_events from {}
    credentials 'aws_iam_role={}'
    region 'us-west-2' format as JSON {}
    timeformat as 'epochmillisecs';
""")

STAGING_SONGS_COPY = ("""
    copy staging_songs from {}
    credentials 'aws_iam_role={}'
    region 'us-west-2' format as JSON 'auto';
""")

songplay_table_insert = ("""
INSERT INTO songplays (start_time, user_id, level, song_id, artist_id, session_id, location, user_agent)
SELECT DISTINCT se.ts,
                se.userId,
                se.level,
                ss.song_id,
                ss.artist_id,
                se.sessionId,
                se.location,
                se.userAgent
FROM staging_events se
JOIN staging_songs ss ON (se.song = ss.title AND se.artist = ss.artist_name)
WHERE se.page = 'NextSong';
""")

user_table_insert = ("""
INSERT INTO users (user_id, first_name, last_name, gender, level)
SELECT DISTINCT userId, firstName, lastName, gender, level
FROM staging_events
WHERE page = 'NextSong' AND userId IS NOT NULL;
""")

song_table_insert = ("""
INSERT INTO songs (song_id, title, artist_id, year, duration)
SELECT DISTINCT song_id, title, artist_id, year, duration
FROM staging_songs
WHERE song_id IS NOT NULL;
""")

artist_table_insert = ("""
INSERT INTO artists (artist_id, name, location, latitude, longitude)
SELECT DISTINCT artist_id, artist_name, artist_location, artist_latitude, artist_longitude
FROM staging_songs
WHERE artist_id IS NOT NULL;
""")

time_table_insert = ("""
INSERT INTO time (start_time, hour, day, week, month, year, weekday)
SELECT DISTINCT start_time,
       EXTRACT(hour FROM start_time),
       EXTRACT(day FROM start_time),
       EXTRACT(week FROM start_time),
       EXTRACT(month FROM start_time),
       EXTRACT(year FROM start_time),
       EXTRACT(dayofweek FROM start_time)
FROM songplays;
""")

create_table_queries = [staging_events_table_create, staging_songs_table_create, songplay_table_create,
                        user_table_create, song_table_create, artist_table_create, time_table_create]
drop_table_queries = [staging_events_table_drop, staging_songs_table_drop, songplay_table_drop, user_table_drop,
                      song_table_drop, artist_table_drop, time_table_drop]
insert_table_queries = [songplay_table_insert, user_table_insert, song_table_insert, artist_table_insert,
                        time_table_insert]


# ---- create_tables.py / etl.py, as such projects write them ------------------------------------
def drop_tables(cur, conn):
    for query in drop_table_queries:
        cur.execute(query)
        conn.commit()


def create_tables(cur, conn):
    for query in create_table_queries:
        cur.execute(query)
        conn.commit()


def load_staging_tables(cur, conn, copy_table_queries):
    for query in copy_table_queries:
        cur.execute(query)
        conn.commit()


def insert_tables(cur, conn):
    for query in insert_table_queries:
        cur.execute(query)
        conn.commit()


# ---- generated S3 data in the course's layout --------------------------------------------------
LOG_JSONPATH = {"jsonpaths": [f"$['{k}']" for k in (
    "artist", "auth", "firstName", "gender", "itemInSession", "lastName", "length", "level", "location",
    "method", "page", "registration", "sessionId", "song", "status", "ts", "userAgent", "userId")]}


def upload_sparkify(s3, bucket) -> tuple[int, int]:
    """song_data/A/B/C/TR….json (one object each) and log_data/2018/11/…-events.json (JSON lines)."""
    rng = random.Random(3)
    songs = []
    for i in range(30):
        a = i % 12  # an artist's attributes are the same on each of their songs
        song = {"num_songs": 1, "artist_id": f"AR{a:04d}", "artist_latitude": None if a % 3 else 35.5 + a,
                "artist_longitude": None if a % 3 else -80.1 - a, "artist_location": "" if a % 4 else "Dubai UAE",
                "artist_name": f"Artist {i % 12}", "song_id": f"SO{i:06d}", "title": f"Song {i} — ünïcode",
                "duration": 200.5 + i, "year": 0 if i % 5 == 0 else 1990 + i}
        songs.append(song)
        s3.put_object(Bucket=bucket, Key=f"song_data/A/{chr(65 + i % 3)}/TRA{i:05d}.json",
                      Body=json.dumps(song).encode())
    events = []
    for day in (1, 2):
        lines = []
        for k in range(60):
            s = rng.choice(songs)
            page = "NextSong" if k % 4 else rng.choice(["Home", "Login", "Logout"])
            user = rng.randint(1, 15)
            ev = {"artist": s["artist_name"] if page == "NextSong" else None, "auth": "Logged In",
                  "firstName": f"First{user}", "gender": "F" if user % 2 else "M", "itemInSession": k,
                  "lastName": f"Last{user}", "length": s["duration"] if page == "NextSong" else None,
                  "level": "free" if user % 3 else "paid", "location": "Atlanta-Sandy Springs-Roswell, GA",
                  "method": "PUT", "page": page, "registration": 1540835983796.0, "sessionId": 100 + k // 7,
                  "song": s["title"] if page == "NextSong" else None, "status": 200,
                  "ts": 1541105830796 + day * 86_400_000 + k * 1000,
                  "userAgent": "\"Mozilla/5.0 (Windows NT 6.1; WOW64)\"", "userId": str(user)}
            lines.append(json.dumps(ev))
            events.append(ev)
        s3.put_object(Bucket=bucket, Key=f"log_data/2018/11/2018-11-0{day}-events.json",
                      Body="\n".join(lines).encode())
    s3.put_object(Bucket=bucket, Key="log_json_path.json", Body=json.dumps(LOG_JSONPATH).encode())
    return len(songs), sum(1 for e in events if e["page"] == "NextSong")


def test_classic_project_runs_unmodified(dwh_config, s3, bucket):
    n_songs, n_next = upload_sparkify(s3, bucket)
    copy_table_queries = [
        STAGING_EVENTS_COPY.format(f"'s3://{bucket}/log_data'", ROLE, f"'s3://{bucket}/log_json_path.json'"),
        STAGING_SONGS_COPY.format(f"'s3://{bucket}/song_data'", ROLE),
    ]
    conn = dwhkit.connect(dwh_config)
    cur = conn.cursor()
    drop_tables(cur, conn)
    create_tables(cur, conn)
    load_staging_tables(cur, conn, copy_table_queries)
    insert_tables(cur, conn)

    def one(sql):
        cur.execute(sql)
        return cur.fetchone()

    assert one("SELECT COUNT(*) FROM staging_events") == (120,)
    assert one("SELECT COUNT(*) FROM staging_songs") == (n_songs,)
    # every NextSong event matches a generated song (title + artist), and events are distinct
    assert one("SELECT COUNT(*) FROM songplays") == (n_next,)
    assert one("SELECT MIN(songplay_id) FROM songplays") == (0,)  # IDENTITY(0,1) starts at 0
    # JSON string "7" into an INTEGER column, epochmillisecs into TIMESTAMP (exact to the ms)
    assert one("SELECT MIN(ts) FROM staging_events") == (
        __import__("datetime").datetime(2018, 11, 2, 20, 57, 10, 796000),)
    assert one("SELECT COUNT(*) FROM users")[0] <= 15
    assert one("SELECT COUNT(*) FROM artists") == (12,)
    assert one("SELECT COUNT(*) FROM songs") == (n_songs,)
    assert one("SELECT COUNT(*) FROM time") == one("SELECT COUNT(DISTINCT start_time) FROM songplays")
    # Redshift's dayofweek: 0-6 from Sunday
    assert one("SELECT MIN(CAST(weekday AS INT)), MAX(CAST(weekday AS INT)) FROM time")[0] >= 0
    assert one("SELECT COUNT(*) FROM time WHERE CAST(weekday AS INT) <> EXTRACT(dow FROM start_time)") == (0,)
    assert one("SELECT title FROM songs WHERE song_id = 'SO000001'") == ("Song 1 — ünïcode",)
    conn.close()


def test_json_number_with_a_fraction_loads_into_bigint(dwh_config, s3, bucket):
    """The course data's `registration: 1540835983796.0` into BIGINT loads, truncated to the
    column's scale: the JSON COPY page ("Loss of numeric precision",
    https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-json.html) says COPY
    truncates JSON numbers unless ROUNDEC (tests/test_copy_json_numbers.py covers every type)."""
    upload_sparkify(s3, bucket)
    conn = dwhkit.connect(dwh_config)
    cur = conn.cursor()
    cur.execute(staging_events_table_create.replace("registration    FLOAT", "registration    BIGINT"))
    conn.commit()
    cur.execute(STAGING_EVENTS_COPY.format(f"'s3://{bucket}/log_data'", ROLE,
                                           f"'s3://{bucket}/log_json_path.json'"))
    conn.commit()
    cur.execute("SELECT COUNT(*), COUNT(registration), MIN(registration) FROM staging_events")
    rows, with_registration, smallest = cur.fetchone()
    assert rows > 0 and with_registration > 0
    assert isinstance(smallest, int) and smallest > 10**12  # epoch milliseconds, whole
    conn.close()
