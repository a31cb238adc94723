import configparser

import pandas as pd
import redshift_connector

from sql_queries import copy_songs, insert_artists, insert_songs, report


def main():
    config = configparser.ConfigParser()
    config.read('dwh.cfg')
    c = config['CLUSTER']
    with redshift_connector.connect(host=c['host'], database=c['database'], user=c['user'],
                                    password=c['password'], port=int(c['port'])) as conn:
        cursor = conn.cursor()
        cursor.execute(copy_songs)
        cursor.execute(insert_artists)
        cursor.execute(insert_songs, (0,))
        cursor.execute("SELECT artist_id FROM artists ORDER BY artist_id LIMIT 3")
        first_artists = [row[0] for row in cursor.fetchall()]
        tags = pd.DataFrame({"artist_id": first_artists, "tag": ["rock", "jazz", "pop"][:len(first_artists)]})
        cursor.write_dataframe(tags, "genre_tags")
        conn.commit()
        cursor.execute(report)
        df = cursor.fetch_dataframe()
        print(df.to_string(index=False))
        print("artists:", len(df), "songs:", int(df["songs"].sum()))


if __name__ == "__main__":
    main()
