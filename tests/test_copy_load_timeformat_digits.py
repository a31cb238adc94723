"""AMBIG (§3): TIMEFORMAT's SS with more than 6 fractional digits — accepted, truncated to µs."""
from __future__ import annotations

import datetime as dt

from dwhkit.copy.grammar import parse_copy
from dwhkit.targets.pg_sink import run_copy


def test_seven_fractional_digits_truncate_to_microseconds(pg_conn, tmp_path):
    (tmp_path / "r.csv").write_text("LCLid,tstp,energy(kWh/hh)\n"
                                    "MAC000002,2012-10-12 00:30:00.0000000,0\n"
                                    "MAC000002,2012-10-12 01:00:00.1234567,Null\n")
    with pg_conn.cursor() as cur:
        cur.execute("CREATE TABLE r (lclid VARCHAR(12), tstp TIMESTAMP, energy NUMERIC(10,3))")
    run_copy(pg_conn, parse_copy(f"COPY r FROM '{tmp_path.as_uri()}/r.csv' IAM_ROLE default CSV IGNOREHEADER 1 "
                                 "NULL AS 'Null' TIMEFORMAT 'YYYY-MM-DD HH:MI:SS'"))
    with pg_conn.cursor() as cur:
        cur.execute("SELECT tstp, energy FROM r ORDER BY tstp")
        assert cur.fetchall() == [(dt.datetime(2012, 10, 12, 0, 30), 0),
                                  (dt.datetime(2012, 10, 12, 1, 0, 0, 123456), None)]
