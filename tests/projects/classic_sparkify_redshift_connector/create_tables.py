import configparser

import redshift_connector

from sql_queries import create_table_queries, drop_table_queries


def main():
    config = configparser.ConfigParser()
    config.read('dwh.cfg')
    c = config['CLUSTER']
    conn = redshift_connector.connect(host=c['host'], database=c['database'], user=c['user'],
                                      password=c['password'], port=int(c['port']))
    cursor = conn.cursor()
    for query in drop_table_queries + create_table_queries:
        cursor.execute(query)
    conn.commit()
    conn.close()
    print("created", len(create_table_queries), "tables")


if __name__ == "__main__":
    main()
