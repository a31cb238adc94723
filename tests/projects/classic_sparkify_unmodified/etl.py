import configparser
import psycopg2
from sql_queries import copy_table_queries, insert_table_queries


def load_staging_tables(cur, conn):
    """COPY the JSON logs and song files from S3 into the staging tables."""
    for query in copy_table_queries:
        try:
            cur.execute(query)
            conn.commit()
        except psycopg2.Error as e:
            print(e)
            conn.rollback()


def insert_tables(cur, conn):
    """Fill the fact and dimension tables from staging."""
    for query in insert_table_queries:
        cur.execute(query)
        conn.commit()


def main():
    config = configparser.ConfigParser()
    config.read('dwh.cfg')

    conn = psycopg2.connect("host={} dbname={} user={} password={} port={}".format(*config['CLUSTER'].values()))
    cur = conn.cursor()

    load_staging_tables(cur, conn)
    insert_tables(cur, conn)

    cur.execute("SELECT COUNT(*) FROM fact_songplay")
    print("songplays:", cur.fetchone()[0])
    conn.close()


if __name__ == "__main__":
    main()
