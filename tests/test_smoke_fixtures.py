def test_postgres_and_s3_fixtures_work(pg_conn, s3, bucket):
    s3.put_object(Bucket=bucket, Key="a/b.json", Body=b'{"x": 1}\n')
    body = s3.get_object(Bucket=bucket, Key="a/b.json")["Body"].read()
    assert body == b'{"x": 1}\n'
    with pg_conn.cursor() as cur:
        cur.execute("SELECT current_setting('TimeZone'), 1 + 1")
        assert cur.fetchone() == ("UTC", 2)
