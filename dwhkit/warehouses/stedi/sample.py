"""A deterministic STEDI landing sample with the real data's shapes and defects.

A fresh clone has no ``../shared/``, so the main job runs on this. Same record layouts as the
published data, and the same mess: consent keys absent (not null), re-registered customers
sharing an email, serial numbers shared between customers, absurd birthdays, both spellings of
the accelerometer time key, exact duplicate readings, readings of unknown users, readings taken
before consent, step-trainer lines ending in "},", a malformed line, and a stray test file.
"""
from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

FIRST = ["Santosh", "Ben", "Frank", "Trevor", "Christina", "Sarah", "Jeff", "Liz", "Bobby", "Steve",
         "Danny", "Lyn", "Kathy", "John", "Spencer", "Ava", "Chris", "Senthil", "Jacob", "Neil"]
LAST = ["Clayton", "Khatib", "Doshi", "Lincoln", "Mitra", "Huey", "Jones", "Wu", "Staples", "Anandh",
        "Harris", "Davis", "Lewis", "Mendoza", "Hansen", "Aristotle", "Ahmed", "Stark", "Olsen", "Khan"]
BASE_MS = 1655564376361          # mid-June 2022, like the published files
READING_INTERVAL_MS = 3800       # the step trainer reports every ~3.8 s


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _customers(rng: random.Random, n: int) -> list[dict]:
    people = [(f, l) for f in FIRST for l in LAST]
    rng.shuffle(people)
    out = []
    for i in range(n):
        first, last = people[i]
        reg = BASE_MS + i * 37_001
        year = rng.choice([rng.randint(1950, 2002)] * 6 + [rng.randint(1000, 1899), 1900])
        rec = {"customerName": f"{first} {last}", "email": f"{first}.{last}@test.com", "phone": "8015551212",
               "birthDay": f"{year:04d}-01-01", "serialNumber": _uuid(rng),
               "registrationDate": reg, "lastUpdateDate": reg}
        # A missing key, not null, where the customer never agreed (as in the v2023 files).
        if rng.random() < 0.5:
            rec["shareWithResearchAsOfDate"] = reg + rng.choice([0, 0, 60_000])
        if rng.random() < 0.5:
            rec["shareWithPublicAsOfDate"] = reg
        if rng.random() < 0.5:
            rec["shareWithFriendsAsOfDate"] = reg
        out.append(rec)
    # Re-registrations: same email, a new device, a later update; some withdraw consent.
    for rec in rng.sample(out, 6):
        again = dict(rec, serialNumber=_uuid(rng), lastUpdateDate=rec["lastUpdateDate"] + 86_400_000,
                     registrationDate=rec["registrationDate"] + 86_400_000)
        if "shareWithResearchAsOfDate" in again and rng.random() < 0.5:
            del again["shareWithResearchAsOfDate"]
        out.append(again)
    # Serial numbers reused across two customers (the v2022 website's defect).
    for a, b in zip(out[10:16:2], out[11:17:2]):
        b["serialNumber"] = a["serialNumber"]
    return out


def generate_sample(out_dir: Path, customers: int = 120, seed: int = 2022) -> Path:
    """Write customer/, accelerometer/ and step_trainer/ landing files under ``out_dir``."""
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    for folder in ("customer", "accelerometer", "step_trainer"):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    people = _customers(rng, customers)
    acc_rows: list[dict] = []
    step_rows: list[dict] = []
    for rec in people:
        if rng.random() < 0.2:
            continue  # registered, never used the app
        consent = rec.get("shareWithResearchAsOfDate", rec["registrationDate"])
        start = consent + rng.choice([-4, 0, 2, 5]) * READING_INTERVAL_MS  # some sessions start before consent
        for k in range(rng.randint(8, 30)):
            ts = start + k * READING_INTERVAL_MS
            step_rows.append({"sensorReadingTime": ts, "serialNumber": rec["serialNumber"],
                              "distanceFromObject": rng.randint(180, 320)})
            for _ in range(rng.randint(1, 3)):  # several accelerometer readings per instant
                acc_rows.append({"user": rec["email"], "timestamp": ts,
                                 "x": float(rng.randint(-1, 1)), "y": float(rng.randint(-1, 1)),
                                 "z": float(rng.randint(-1, 1))})
    acc_rows += [dict(r) for r in rng.sample(acc_rows, 15)]            # exact duplicates
    acc_rows += [{"user": f"Ghost.User{i}@test.com", "timestamp": BASE_MS + i, "x": 0.0, "y": 1.0, "z": 0.0}
                 for i in range(12)]                                   # users not in the customer file
    rng.shuffle(acc_rows)

    with open(out_dir / "customer" / "customer-1691348231425.json", "w") as fh:
        for rec in people:
            fh.write(json.dumps(rec) + "\n")
    half = len(acc_rows) // 2
    with open(out_dir / "accelerometer" / "accelerometer-1691348231445.json", "w") as fh:
        for r in acc_rows[:half]:
            fh.write(json.dumps(r, separators=(",", ":")) + "\n")
    with open(out_dir / "accelerometer" / "accelerometer-1655471583651.json", "w") as fh:
        for r in acc_rows[half:]:  # the v2022 spelling of the time key
            fh.write(json.dumps({"user": r["user"], "timeStamp": r["timestamp"], "x": r["x"], "y": r["y"],
                                 "z": r["z"]}, separators=(",", ":")) + "\n")
    with open(out_dir / "accelerometer" / "test-accelerometer.json", "w") as fh:
        fh.write(json.dumps({"user": people[0]["email"], "timeStamp": BASE_MS, "x": 9.0, "y": 9.0, "z": 9.0}) + "\n")
    half = len(step_rows) // 2
    with open(out_dir / "step_trainer" / "step_trainer-1691348232038.json", "w") as fh:
        for r in step_rows[:half]:
            fh.write(json.dumps(r, separators=(",", ":")) + "\n")
    with open(out_dir / "step_trainer" / "step_trainer-1655296678763.json", "w") as fh:
        # v2022 style: every line but the last ends with "},"; one line is garbage.
        lines = [json.dumps(r, separators=(",", ":")) for r in step_rows[half:]]
        lines.insert(len(lines) // 2, '{"sensorReadingTime":16553,"serialNum')
        fh.write(",\n".join(lines))
    return out_dir
