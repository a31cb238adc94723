"""svv_table_info and pg_table_def answer what Redshift's would, from the DDL as written."""
from __future__ import annotations

import dwhkit


def test_svv_table_info_and_pg_table_def(dwh_config):
    conn = dwhkit.connect(dwh_config)
    cur = conn.cursor()
    cur.execute("CREATE TABLE sales (id BIGINT IDENTITY(0,1), region VARCHAR(20) ENCODE lzo, "
                "sold_at TIMESTAMP NOT NULL SORTKEY, amount DECIMAL(12,2)) DISTKEY(region)")
    cur.execute("CREATE TABLE regions (code CHAR(2), name VARCHAR(MAX)) DISTSTYLE ALL "
                "INTERLEAVED SORTKEY (code, name) BACKUP NO")
    cur.execute("INSERT INTO sales (region, sold_at, amount) VALUES ('eu', GETDATE(), 1.5)")
    conn.commit()
    cur.execute('SELECT "table", diststyle, sortkey1, sortkey_num, encoded, max_varchar, backup '
                'FROM svv_table_info ORDER BY "table"')
    assert cur.fetchall() == [("regions", "ALL", "code", 2, "N", 65535, "N"),
                              ("sales", "KEY(region)", "sold_at", 1, "Y", 20, "Y")]
    cur.execute("SELECT \"column\", type, encoding, distkey, sortkey, \"notnull\" FROM pg_table_def "
                "WHERE tablename = 'sales' ORDER BY \"column\"")
    rows = {r[0]: r[1:] for r in cur.fetchall()}
    assert rows["region"] == ("character varying(20)", "lzo             ", True, 0, False)
    assert rows["sold_at"][3:] == (1, True)
    assert rows["amount"][0] == "numeric(12,2)"
    cur.execute("SELECT \"column\", sortkey FROM pg_table_def WHERE tablename = 'regions' ORDER BY 2 DESC")
    assert cur.fetchall() == [("code", -1), ("name", -2)]  # interleaved keys are negative, as on Redshift
    conn.close()


def test_trunc_of_a_timestamp_is_a_date(dwh_config):
    conn = dwhkit.connect(dwh_config)
    cur = conn.cursor()
    cur.execute("SELECT TRUNC(TIMESTAMP '2013-01-04 23:59:59'), TRUNC(3.789, 2), TRUNC(-3.7)")
    import datetime as dt
    from decimal import Decimal

    assert cur.fetchone() == (dt.date(2013, 1, 4), Decimal("3.78"), Decimal("-3"))
    conn.close()
