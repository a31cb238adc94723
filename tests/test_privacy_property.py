"""The STEDI privacy rule, property-tested under both consent scopes: generated landing data goes
through the real ETL, and an oracle computed in Python from the generated records predicts every
table past landing exactly.

The generator aims at the ways consent has been got wrong: consent keys absent or null; records
with no lastUpdateDate and records tied on it; consent given, withdrawn and given again; consents
dated in the future (2100); the same email with Unicode whitespace around it and in other cases;
shared serial numbers (owners decided by whose accelerometer readings fall at the instant);
readings before and after consent; readings of unknown users and devices."""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dwhkit.warehouses.stedi.sql import normalise_email

from .test_stedi_lake import FUTURE, failed_checks, rows, run

BASE = 1_655_564_376_000
STEP = 1_000                          # readings fall on a small grid of instants, so they pair up
EMAILS = ["ann@x.io", "bob@x.io", "cy@x.io", "dee@x.io"]
SERIALS = ["s-1", "s-2", "s-3"]
WHITESPACE = ["", " ", "\t", "\u00a0", "\u2003", "\u200b", "\u3000", "\ufeff", "\n"]

consent = st.one_of(st.just("absent"), st.just(None), st.just(FUTURE),
                    st.integers(0, 8).map(lambda k: BASE + k * STEP))
spelling = st.fixed_dictionaries({"before": st.sampled_from(WHITESPACE), "after": st.sampled_from(WHITESPACE),
                                  "upper": st.booleans()})

customer = st.fixed_dictionaries({
    "email": st.sampled_from(EMAILS),
    "spelling": spelling,
    "serial": st.sampled_from(SERIALS),
    "consent": consent,
    "updated": st.one_of(st.none(), st.integers(0, 3)),   # few values: ties and undated records
})
reading = st.fixed_dictionaries({
    "user": st.sampled_from(EMAILS + ["ghost@x.io"]),
    "spelling": spelling,
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
    "scope": st.sampled_from(["customer", "from_consent_date"]),
})


def spell(email: str, s: dict) -> str:
    return s["before"] + (email.upper() if s["upper"] else email) + s["after"]


def write_lake(root: Path, data) -> None:
    for folder in ("customer", "accelerometer", "step_trainer"):
        (root / folder).mkdir(parents=True)
    with open(root / "customer" / "customer-1.json", "w", encoding="utf-8") as fh:
        for i, c in enumerate(data["customers"]):
            rec = {"customerName": f"name {i}", "email": spell(c["email"], c["spelling"]), "phone": "555",
                   "birthDay": "1990-01-01", "serialNumber": c["serial"], "registrationDate": BASE - 10 * STEP,
                   "lastUpdateDate": None if c["updated"] is None else BASE - 10 * STEP + c["updated"]}
            if c["consent"] != "absent":
                rec["shareWithResearchAsOfDate"] = c["consent"]
            fh.write(json.dumps(rec) + "\n")
    with open(root / "accelerometer" / "accelerometer-1.json", "w", encoding="utf-8") as fh:
        for r in data["readings"]:
            fh.write(json.dumps({"user": spell(r["user"], r["spelling"]), "timeStamp": BASE + r["k"] * STEP,
                                 "x": float(r["x"]), "y": 0.0, "z": 1.0}) + "\n")
    with open(root / "step_trainer" / "step_trainer-1.json", "w", encoding="utf-8") as fh:
        for s in data["steps"]:
            line = json.dumps({"sensorReadingTime": BASE + s["k"] * STEP, "serialNumber": s["serial"],
                               "distanceFromObject": 200})
            fh.write(line + ("," if s["trailing_comma"] else "") + "\n")


def oracle(data, now_ms: int) -> dict:
    """Every table's expected content, from the rules as the STEDI documents and the brief state them."""
    scope = data["scope"]
    records: dict[str, list] = {}
    for c in data["customers"]:
        key = normalise_email(spell(c["email"], c["spelling"]))
        in_force = c["consent"] if c["consent"] not in ("absent", None) and c["consent"] <= now_ms else None
        records.setdefault(key, []).append((c["updated"], in_force))
    consent_ms = {}
    for key, recs in records.items():
        dated = [r for r in recs if r[0] is not None]
        top = max(r[0] for r in dated) if dated else None
        deciding = [r for r in (dated or recs) if r[0] == top]          # undated never outranks dated
        if all(r[1] is not None for r in deciding):                     # a tie with no consent: none
            consent_ms[key] = max(r[1] for r in deciding)
    registrants: dict[str, set] = {}
    for c in data["customers"]:
        registrants.setdefault(c["serial"], set()).add(normalise_email(spell(c["email"], c["spelling"])))
    landing_instants = {(normalise_email(spell(r["user"], r["spelling"])), BASE + r["k"] * STEP)
                        for r in data["readings"]}

    def in_scope(key, ms):
        return scope == "customer" or ms >= consent_ms[key]

    acc = {(normalise_email(spell(r["user"], r["spelling"])), BASE + r["k"] * STEP, float(r["x"]))
           for r in data["readings"]}
    acc = {a for a in acc if a[0] in consent_ms and in_scope(a[0], a[1])}
    curated = {a[0] for a in acc}

    def owner(serial, ms):
        regs = registrants.get(serial, set())
        if len(regs) == 1:
            return next(iter(regs))
        there = {k for k in regs if (k, ms) in landing_instants}
        return next(iter(there)) if len(there) == 1 else None

    steps = set()
    for s in data["steps"]:
        ms = BASE + s["k"] * STEP
        o = owner(s["serial"], ms)
        if o in curated and in_scope(o, ms):
            steps.add((s["serial"], ms, o))
    ml = {(serial, key, ms, x) for serial, ms, key in steps for k, ams, x in acc if k == key and ams == ms}
    return {"consent_ms": consent_ms, "acc": acc, "curated": curated, "steps": steps, "ml": ml,
            "registered": {(s, k) for s, ks in registrants.items() for k in ks if k in consent_ms}}


def test_privacy_rule_holds_for_any_landing_data(dwh_config, tmp_path):
    counter = iter(range(10_000))

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=landing)
    def check(data):
        lake = Path(tempfile.mkdtemp(dir=tmp_path, prefix=f"lake{next(counter)}-"))
        write_lake(lake, data)
        report = run(dwh_config, lake, scope=data["scope"])           # a clean warehouse per example
        want = oracle(data, now_ms=int(time.time() * 1000))
        consenting = set(want["consent_ms"])

        def q(sql):
            return rows(dwh_config, sql)

        # 1. exactly the consenting customers (latest record, ties to no consent, consent in force)
        assert {r[0] for r in q("SELECT email FROM customer_trusted")} == consenting
        assert {r[0] for r in q("SELECT email FROM dim_customer")} == consenting
        for email, consent_at in q("SELECT email, EXTRACT(epoch FROM research_consent_at) * 1000 FROM dim_customer"):
            assert int(consent_at) == want["consent_ms"][email], email
        assert {r[0] for r in q("SELECT email FROM customer_curated")} == want["curated"]
        assert set(q("SELECT serial_number, email FROM device_registration_trusted")) == want["registered"]
        # 2. exactly their readings (in scope), keyed by the normalised email
        assert set(q("SELECT email, reading_ms, x FROM accelerometer_trusted")) == want["acc"]
        assert {(r[0], r[1]) for r in q("SELECT serial_number, reading_ms FROM step_trainer_trusted")} == \
            {(s, ms) for s, ms, _ in want["steps"]}
        # 3. the ML table: each step reading with its owner's readings at that instant, nobody else's
        ml = q("""SELECT d.serial_number, c.email, m.reading_ms, m.x, m.research_consent_at = c.research_consent_at
                  FROM machine_learning_curated m
                  JOIN dim_device d ON d.device_key = m.device_key
                  JOIN dim_customer c ON c.customer_key = m.customer_key""")
        assert {r[:4] for r in ml} == want["ml"]
        assert all(r[4] for r in ml)
        assert not failed_checks(report), failed_checks(report)

    check()
