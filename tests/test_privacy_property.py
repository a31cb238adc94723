"""The STEDI privacy rule, property-tested: generated landing data (customers with and without
consent — key absent or null —, re-registered emails, shared serial numbers, readings before and
after consent, readings of unknown users and devices) goes through the real ETL, and an oracle
computed in Python from the generated records checks every table past landing."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dwhkit import app
from dwhkit.targets import get_target

BASE = 1_655_564_376_000
STEP = 1_000                          # readings fall on a small grid of instants, so they pair up
EMAILS = ["ann@x.io", "bob@x.io", "cy@x.io", "dee@x.io"]
SERIALS = ["s-1", "s-2", "s-3"]

consent = st.one_of(st.just("absent"), st.just(None), st.integers(0, 8).map(lambda k: BASE + k * STEP))

customer = st.fixed_dictionaries({
    "email": st.sampled_from(EMAILS),
    "shout": st.booleans(),            # the same person typed in upper case, with spaces
    "serial": st.sampled_from(SERIALS),
    "consent": consent,
})
reading = st.fixed_dictionaries({
    "user": st.sampled_from(EMAILS + ["ghost@x.io"]),
    "k": st.integers(0, 8),
    "x": st.integers(-1, 1),
})
step = st.fixed_dictionaries({
    "serial": st.sampled_from(SERIALS + ["s-unknown"]),
    "k": st.integers(0, 8),
    "trailing_comma": st.booleans(),
})
landing = st.fixed_dictionaries({
    "customers": st.lists(customer, min_size=1, max_size=7),
    "readings": st.lists(reading, max_size=25),
    "steps": st.lists(step, max_size=15),
})


def write_lake(root: Path, data) -> None:
    for folder in ("customer", "accelerometer", "step_trainer"):
        (root / folder).mkdir(parents=True)
    with open(root / "customer" / "customer-1.json", "w") as fh:
        for i, c in enumerate(data["customers"]):
            email = f"  {c['email'].upper()} " if c["shout"] else c["email"]
            rec = {"customerName": f"name {i}", "email": email, "phone": "555", "birthDay": "1990-01-01",
                   "serialNumber": c["serial"], "registrationDate": BASE - 10 * STEP + i,
                   "lastUpdateDate": BASE - 10 * STEP + i}          # later records are newer, no ties
            if c["consent"] != "absent":
                rec["shareWithResearchAsOfDate"] = c["consent"]
            fh.write(json.dumps(rec) + "\n")
    with open(root / "accelerometer" / "accelerometer-1.json", "w") as fh:
        for r in data["readings"]:
            fh.write(json.dumps({"user": r["user"], "timeStamp": BASE + r["k"] * STEP,
                                 "x": float(r["x"]), "y": 0.0, "z": 1.0}) + "\n")
    with open(root / "step_trainer" / "step_trainer-1.json", "w") as fh:
        for s in data["steps"]:
            line = json.dumps({"sensorReadingTime": BASE + s["k"] * STEP, "serialNumber": s["serial"],
                               "distanceFromObject": 200})
            fh.write(line + ("," if s["trailing_comma"] else "") + "\n")


def oracle(data):
    """(consent in force per consenting email, registered (serial, email) pairs)."""
    latest = {}
    for c in data["customers"]:                 # in file order: later records are newer
        latest[c["email"]] = c["consent"]
    consent_ms = {e: v for e, v in latest.items() if v not in ("absent", None)}
    registered = {(c["serial"], c["email"]) for c in data["customers"]}
    return consent_ms, registered


def query(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


def test_privacy_rule_holds_for_any_landing_data(dwh_config, tmp_path):
    counter = iter(range(10_000))

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=landing)
    def check(data):
        lake = Path(tempfile.mkdtemp(dir=tmp_path, prefix=f"lake{next(counter)}-"))
        write_lake(lake, data)
        app.create_tables(dwh_config)                       # a clean warehouse per example
        report = app.run_etl(dwh_config, lake=str(lake))
        consent_ms, registered = oracle(data)
        serial_owners: dict[str, set] = {}
        for serial, email in registered:
            serial_owners.setdefault(serial, set()).add(email)

        conn = get_target(dwh_config).connect()
        try:
            cur = conn.cursor()
            # 1. no row of a non-consenting customer (by the latest record per email) past landing
            for table in ("customer_trusted", "customer_curated", "dim_customer", "accelerometer_trusted",
                          "device_registration_trusted"):
                emails = {r[0] for r in query(cur, f"SELECT DISTINCT email FROM {table}")}
                assert emails <= set(consent_ms), (table, emails, consent_ms)
            assert {r[0] for r in query(cur, "SELECT email FROM customer_trusted")} == set(consent_ms)
            fact_emails = query(cur, "SELECT DISTINCT d.email FROM fact_accelerometer_reading f "
                                     "JOIN dim_customer d USING (customer_key)")
            assert {r[0] for r in fact_emails} <= set(consent_ms)
            assert query(cur, "SELECT COUNT(*) FROM fact_accelerometer_reading f WHERE NOT EXISTS "
                              "(SELECT 1 FROM dim_customer d WHERE d.customer_key = f.customer_key)") == [(0,)]
            # devices: only when every registered owner consents
            for (serial,) in query(cur, "SELECT DISTINCT serial_number FROM step_trainer_trusted"):
                assert serial_owners.get(serial) and serial_owners[serial] <= set(consent_ms), serial
            # 2. no reading before consent
            for email, ms in query(cur, "SELECT email, MIN(reading_ms) FROM accelerometer_trusted GROUP BY email"):
                assert ms >= consent_ms[email], (email, ms)
            for serial, ms in query(cur, "SELECT serial_number, MIN(reading_ms) FROM step_trainer_trusted "
                                         "GROUP BY serial_number"):
                assert ms >= max(consent_ms[e] for e in serial_owners[serial]), (serial, ms)
            # every consented, post-consent reading of a known customer did make it (no over-filtering)
            want = {(r["user"], BASE + r["k"] * STEP) for r in data["readings"]
                    if r["user"] in consent_ms and BASE + r["k"] * STEP >= consent_ms[r["user"]]}
            assert set(query(cur, "SELECT email, reading_ms FROM accelerometer_trusted")) == want
            # 3. the ML table: one customer per reading, the device registered to that customer,
            #    the customer consenting and the reading not before their consent
            ml = query(cur, """
                SELECT d.serial_number, c.email, m.reading_ms, m.research_consent_at = c.research_consent_at
                FROM machine_learning_curated m
                JOIN dim_device d ON d.device_key = m.device_key
                JOIN dim_customer c ON c.customer_key = m.customer_key""")
            assert len(ml) == query(cur, "SELECT COUNT(*) FROM machine_learning_curated")[0][0]
            assert query(cur, "SELECT COUNT(*) FROM (SELECT device_key, reading_ms FROM machine_learning_curated "
                              "GROUP BY 1, 2 HAVING COUNT(DISTINCT customer_key) > 1) t") == [(0,)]
            for serial, email, ms, same_consent in ml:
                assert (serial, email) in registered, (serial, email)
                assert email in consent_ms and ms >= consent_ms[email] and same_consent
            conn.commit()
        finally:
            conn.close()
        assert report["passed"], [c for c in report["checks"] if not c["passed"]]

    check()
