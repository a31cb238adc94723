import configparser

config = configparser.ConfigParser()
config.read('dwh.cfg')

ROLE = config['IAM_ROLE']['arn']
SONG_DATA = config['S3']['song_data']

drop_table_queries = [
    "DROP TABLE IF EXISTS staging_songs",
    "DROP TABLE IF EXISTS artists",
    "DROP TABLE IF EXISTS songs",
    "DROP TABLE IF EXISTS genre_tags",
]

create_table_queries = [
    """CREATE TABLE staging_songs (
        num_songs INT, artist_id VARCHAR(30), artist_latitude FLOAT8, artist_longitude FLOAT8,
        artist_location VARCHAR(MAX), artist_name VARCHAR(MAX), song_id VARCHAR(30),
        title VARCHAR(MAX), duration FLOAT8, year INT)""",
    """CREATE TABLE artists (
        artist_id VARCHAR(30) NOT NULL DISTKEY SORTKEY, name VARCHAR(500), location VARCHAR(500),
        latitude FLOAT8, longitude FLOAT8)""",
    """CREATE TABLE songs (
        song_id VARCHAR(30) NOT NULL SORTKEY, title VARCHAR(500), artist_id VARCHAR(30) DISTKEY,
        year INT, duration FLOAT8)""",
    """CREATE TABLE genre_tags (artist_id VARCHAR(30), tag VARCHAR(50)) DISTSTYLE ALL""",
]

copy_songs = f"""
    COPY staging_songs FROM '{SONG_DATA}'
    IAM_ROLE '{ROLE}'
    FORMAT AS JSON 'auto'
    REGION 'us-west-2'
"""

insert_artists = """
    INSERT INTO artists
    SELECT artist_id, MAX(artist_name), MAX(artist_location), MAX(artist_latitude), MAX(artist_longitude)
    FROM staging_songs GROUP BY artist_id
"""

insert_songs = """
    INSERT INTO songs
    SELECT song_id, title, artist_id, NULLIF(year, 0), duration FROM staging_songs
    WHERE duration > %s
"""

report = """
    SELECT a.name, COUNT(*) AS songs, LISTAGG(DISTINCT t.tag, ',') WITHIN GROUP (ORDER BY t.tag) AS tags
    FROM songs s JOIN artists a ON a.artist_id = s.artist_id
    LEFT JOIN genre_tags t ON t.artist_id = a.artist_id
    GROUP BY a.name
    ORDER BY a.name
"""
