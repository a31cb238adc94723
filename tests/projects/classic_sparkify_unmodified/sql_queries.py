import configparser


# CONFIG
config = configparser.ConfigParser()
config.read('dwh.cfg')

ARN = config.get('IAM_ROLE', 'ARN')
LOG_DATA = config.get('S3', 'LOG_DATA')
LOG_JSONPATH = config.get('S3', 'LOG_JSONPATH')
SONG_DATA = config.get('S3', 'SONG_DATA')

# DROP TABLES

staging_events_table_drop = "DROP TABLE IF EXISTS staging_events;"
staging_songs_table_drop = "DROP TABLE IF EXISTS staging_songs;"
songplay_table_drop = "DROP TABLE IF EXISTS fact_songplay;"
user_table_drop = "DROP TABLE IF EXISTS dim_user;"
song_table_drop = "DROP TABLE IF EXISTS dim_song;"
artist_table_drop = "DROP TABLE IF EXISTS dim_artist;"
time_table_drop = "DROP TABLE IF EXISTS dim_time;"

# CREATE TABLES

staging_events_table_create = ("""
    CREATE TABLE IF NOT EXISTS staging_events
    (
        artist_name     VARCHAR(500),
        auth            VARCHAR(20),
        first_name      VARCHAR(100),
        gender          CHAR(1),
        item_in_session INTEGER,
        last_name       VARCHAR(100),
        length          DOUBLE PRECISION,
        level           VARCHAR(10),
        location        VARCHAR(500),
        method          VARCHAR(10),
        page            VARCHAR(50),
        registration    DOUBLE PRECISION,
        session_id      INTEGER,
        song_title      VARCHAR(500),
        status          SMALLINT,
        ts              BIGINT,
        user_agent      VARCHAR(500),
        user_id         VARCHAR(20)
    );
""")

staging_songs_table_create = ("""
    CREATE TABLE IF NOT EXISTS staging_songs
    (
        num_songs        INTEGER,
        artist_id        VARCHAR(30),
        artist_latitude  DOUBLE PRECISION,
        artist_longitude DOUBLE PRECISION,
        artist_location  VARCHAR(500),
        artist_name      VARCHAR(500),
        song_id          VARCHAR(30),
        title            VARCHAR(500),
        duration         DOUBLE PRECISION,
        year             SMALLINT
    );
""")

songplay_table_create = ("""
    CREATE TABLE IF NOT EXISTS fact_songplay
    (
        songplay_id BIGINT IDENTITY(1, 1) NOT NULL,
        start_time  TIMESTAMP NOT NULL SORTKEY,
        user_id     INTEGER NOT NULL,
        level       VARCHAR(10),
        song_id     VARCHAR(30) DISTKEY,
        artist_id   VARCHAR(30),
        session_id  INTEGER,
        location    VARCHAR(500),
        user_agent  VARCHAR(500),
        PRIMARY KEY (songplay_id)
    );
""")

user_table_create = ("""
    CREATE TABLE IF NOT EXISTS dim_user
    (
        user_id    INTEGER NOT NULL SORTKEY,
        first_name VARCHAR(100),
        last_name  VARCHAR(100),
        gender     CHAR(1) ENCODE bytedict,
        level      VARCHAR(10),
        PRIMARY KEY (user_id)
    ) DISTSTYLE ALL;
""")

song_table_create = ("""
    CREATE TABLE IF NOT EXISTS dim_song
    (
        song_id   VARCHAR(30) NOT NULL SORTKEY DISTKEY,
        title     VARCHAR(500) NOT NULL,
        artist_id VARCHAR(30) NOT NULL,
        year      SMALLINT,
        duration  DOUBLE PRECISION,
        PRIMARY KEY (song_id)
    );
""")

artist_table_create = ("""
    CREATE TABLE IF NOT EXISTS dim_artist
    (
        artist_id VARCHAR(30) NOT NULL SORTKEY,
        name      VARCHAR(500),
        location  VARCHAR(500),
        latitude  DOUBLE PRECISION,
        longitude DOUBLE PRECISION,
        PRIMARY KEY (artist_id)
    ) DISTSTYLE ALL;
""")

time_table_create = ("""
    CREATE TABLE IF NOT EXISTS dim_time
    (
        start_time TIMESTAMP NOT NULL SORTKEY,
        hour       SMALLINT,
        day        SMALLINT,
        week       SMALLINT,
        month      SMALLINT,
        year       SMALLINT,
        weekday    SMALLINT,
        PRIMARY KEY (start_time)
    ) DISTSTYLE ALL;
""")

# STAGING TABLES

staging_events_copy = ("""
    COPY staging_events FROM '{}'
    IAM_ROLE '{}'
    REGION 'us-west-2'
    FORMAT AS JSON '{}';
""").format(LOG_DATA, ARN, LOG_JSONPATH)

staging_songs_copy = ("""
    COPY staging_songs FROM '{}'
    IAM_ROLE '{}'
    REGION 'us-west-2'
    JSON 'auto'
    TRUNCATECOLUMNS;
""").format(SONG_DATA, ARN)

# FINAL TABLES

songplay_table_insert = ("""
    INSERT INTO fact_songplay (start_time, user_id, level, song_id, artist_id, session_id, location, user_agent)
    SELECT TIMESTAMP 'epoch' + e.ts / 1000 * INTERVAL '1 second' AS start_time,
           CAST(e.user_id AS INTEGER),
           e.level,
           s.song_id,
           s.artist_id,
           e.session_id,
           e.location,
           e.user_agent
    FROM staging_events e
    JOIN staging_songs s ON e.song_title = s.title AND e.artist_name = s.artist_name
    WHERE e.page = 'NextSong';
""")

user_table_insert = ("""
    INSERT INTO dim_user (user_id, first_name, last_name, gender, level)
    SELECT DISTINCT CAST(user_id AS INTEGER), first_name, last_name, gender, level
    FROM staging_events
    WHERE page = 'NextSong' AND user_id IS NOT NULL
      AND CAST(user_id AS INTEGER) NOT IN (SELECT user_id FROM dim_user);
""")

song_table_insert = ("""
    INSERT INTO dim_song (song_id, title, artist_id, year, duration)
    SELECT DISTINCT song_id, title, artist_id, NULLIF(year, 0), duration
    FROM staging_songs
    WHERE song_id IS NOT NULL;
""")

artist_table_insert = ("""
    INSERT INTO dim_artist (artist_id, name, location, latitude, longitude)
    SELECT DISTINCT artist_id, artist_name, artist_location, artist_latitude, artist_longitude
    FROM staging_songs
    WHERE artist_id IS NOT NULL;
""")

time_table_insert = ("""
    INSERT INTO dim_time (start_time, hour, day, week, month, year, weekday)
    SELECT DISTINCT start_time,
           EXTRACT(HOUR FROM start_time),
           EXTRACT(DAY FROM start_time),
           EXTRACT(WEEK FROM start_time),
           EXTRACT(MONTH FROM start_time),
           EXTRACT(YEAR FROM start_time),
           EXTRACT(DOW FROM start_time)
    FROM fact_songplay;
""")

# QUERY LISTS

create_table_queries = [staging_events_table_create, staging_songs_table_create, songplay_table_create,
                        user_table_create, song_table_create, artist_table_create, time_table_create]
drop_table_queries = [staging_events_table_drop, staging_songs_table_drop, songplay_table_drop, user_table_drop,
                      song_table_drop, artist_table_drop, time_table_drop]
copy_table_queries = [staging_events_copy, staging_songs_copy]
insert_table_queries = [songplay_table_insert, user_table_insert, song_table_insert, artist_table_insert,
                        time_table_insert]
