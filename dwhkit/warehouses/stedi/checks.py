"""STEDI's reconciliation and data-quality queries (Redshift SQL, like the warehouse itself).

Reconciliation classifies every row of one zone by the single rule that decided its fate, so
the outcomes add up to the zone's row count and a reader can follow landing → curated.

The privacy checks do not trust the trusted tables: they recompute who consents, and who owns
each step-trainer reading, from the landing data, with the same rules written differently (NOT
EXISTS instead of a ranking, a window over registrants instead of a grouping), so that a bug in
one formulation is caught by the other. Only the email key and the "in force" test are shared:
there must be exactly one definition of those.
"""
from ...quality import Check, foreign_key, primary_key
from .sql import (CONSENT_SCOPES, DEFAULT_CONSENT_SCOPE, EPOCH_MS, RANKED_CUSTOMER,
                  REGISTRATION, STEP_FIELDS, STEP_OWNER, USER_KEYS, consent_in_force, email_key)

MOVED = "moved on"
BEFORE_CONSENT = "taken before research consent"


def _scope_outcome(scope: str, reading_at: str, consent_at: str) -> str:
    """The CASE branch of the from_consent_date scope (none under the default scope)."""
    if scope == "from_consent_date":
        return f"WHEN {reading_at} < {consent_at} THEN '{BEFORE_CONSENT}'"
    return ""


def reconciliation_for(scope: str = DEFAULT_CONSENT_SCOPE) -> list[tuple[str, str]]:
    """(flow, query returning (outcome, rows)), each query covering every row of its source once."""
    acc_at = EPOCH_MS.format(col='a."timestamp"')
    step_at = EPOCH_MS.format(col="f.reading_ms")
    return [
        ("customer: landing → trusted", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE
             WHEN l.email_key IS NULL THEN 'no email'
             WHEN l.recency > 1 THEN 'superseded by a newer record of the same customer'
             WHEN l.sharewithresearchasofdate IS NOT NULL AND l.consent_at IS NULL
                  THEN 'research consent not yet in force'
             WHEN l.consent_at IS NULL THEN 'no research consent'
             ELSE '{MOVED}'
           END AS outcome
    FROM ({RANKED_CUSTOMER}) l
) o GROUP BY outcome ORDER BY outcome
"""),
        ("accelerometer: landing → trusted", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE
             WHEN k.email_key IS NULL THEN 'reading of an unknown customer'
             WHEN c.email IS NULL THEN 'no research consent'
             WHEN a."timestamp" IS NULL THEN 'no reading time'
             {_scope_outcome(scope, acc_at, 'c.research_consent_at')}
             WHEN ROW_NUMBER() OVER (PARTITION BY a.email_key, a."timestamp", a.x, a.y, a.z
                                     ORDER BY a."timestamp") > 1 THEN 'duplicate'
             ELSE '{MOVED}'
           END AS outcome
    FROM (SELECT s.*, k.email_key FROM staging_accelerometer s
          LEFT JOIN ({USER_KEYS}) k ON k.raw_user = s."user") a
    LEFT JOIN (SELECT DISTINCT {email_key('email')} AS email_key FROM staging_customer) k
           ON k.email_key = a.email_key
    LEFT JOIN customer_trusted c ON c.email = a.email_key
) o GROUP BY outcome ORDER BY outcome
"""),
        ("step trainer: landing → trusted", f"""
WITH f AS ({STEP_FIELDS})
SELECT outcome, COUNT(*) FROM (
    SELECT CASE
             WHEN f.serial_number IS NULL OR f.reading_ms IS NULL THEN 'malformed record'
             WHEN o.registrants IS NULL THEN 'reading of an unknown device'
             WHEN o.owner IS NULL AND o.candidates > 1 THEN 'ambiguous owner (two or more candidates)'
             WHEN o.owner IS NULL THEN 'unattributed (no registered customer''s readings at that instant)'
             WHEN t.email IS NULL THEN 'no research consent'
             WHEN c.email IS NULL THEN 'owner not curated (no accelerometer data)'
             {_scope_outcome(scope, step_at, 'c.research_consent_at')}
             WHEN ROW_NUMBER() OVER (PARTITION BY f.serial_number, f.reading_ms, f.distance_from_object
                                     ORDER BY f.reading_ms) > 1 THEN 'duplicate'
             ELSE '{MOVED}'
           END AS outcome
    FROM f
    LEFT JOIN ({STEP_OWNER.format(readings='f')}) o
           ON o.serial_number = f.serial_number AND o.reading_ms = f.reading_ms
    LEFT JOIN customer_trusted t ON t.email = o.owner
    LEFT JOIN customer_curated c ON c.email = o.owner
) o GROUP BY outcome ORDER BY outcome
"""),
        ("customer: trusted → curated", f"""
SELECT CASE WHEN EXISTS (SELECT 1 FROM accelerometer_trusted a WHERE a.email = c.email)
            THEN '{MOVED}' ELSE 'no readings' END AS outcome, COUNT(*)
FROM customer_trusted c GROUP BY 1 ORDER BY 1
"""),
        ("step trainer: trusted → machine learning", f"""
SELECT CASE WHEN p.serial_number IS NOT NULL THEN '{MOVED}'
            ELSE 'no accelerometer reading of its owner at that instant' END AS outcome,
       COUNT(*)
FROM step_trainer_trusted s
LEFT JOIN (SELECT DISTINCT d.serial_number, m.reading_ms
           FROM machine_learning_curated m JOIN dim_device d ON d.device_key = m.device_key) p
       ON p.serial_number = s.serial_number AND p.reading_ms = s.reading_ms
GROUP BY 1 ORDER BY 1
"""),
        (f"consent scope in force: {scope}", _scope_flow(scope)),
    ]


def _scope_flow(scope: str) -> str:
    """The readings taken before their customer's consent: dropped under from_consent_date, kept
    (and counted, so the difference is visible) under the default scope."""
    verb = "dropped" if scope == "from_consent_date" else "kept (from_consent_date would drop them)"
    if scope == "from_consent_date":
        acc = f"""SELECT COUNT(*) FROM staging_accelerometer a
                  JOIN ({USER_KEYS}) k ON k.raw_user = a."user"
                  JOIN customer_trusted c ON c.email = k.email_key
                  WHERE {EPOCH_MS.format(col='a."timestamp"')} < c.research_consent_at"""
        readings, at = "f", EPOCH_MS.format(col="r.reading_ms")
    else:
        acc = """SELECT COUNT(*) FROM accelerometer_trusted a JOIN customer_trusted c ON c.email = a.email
                 WHERE a.reading_at < c.research_consent_at"""
        readings, at = "step_trainer_trusted", "r.reading_at"
    with_f = f"WITH f AS ({STEP_FIELDS})" if readings == "f" else ""
    return f"""
{with_f}
SELECT 'accelerometer readings before consent, {verb}', ({acc})
UNION ALL
SELECT 'step-trainer readings before consent, {verb}', (
    SELECT COUNT(*) FROM {readings} r
    JOIN ({STEP_OWNER.format(readings=readings)}) o
      ON o.serial_number = r.serial_number AND o.reading_ms = r.reading_ms
    JOIN customer_curated c ON c.email = o.owner
    WHERE {at} < c.research_consent_at)
"""


RECONCILIATION = reconciliation_for()

# -- the privacy rule, recomputed ------------------------------------------------------------------
# The records that state a consent in force and that no other record of the same customer
# outranks: a later lastUpdateDate, a date where this one has none, or the same date (or both
# none) with no consent in force (ties resolve to the most restrictive). Their latest consent
# date is the one in force. Written without ROW_NUMBER on purpose (see the module docstring).
_RECORDS = f"""
SELECT {email_key('email')} AS email_key, lastupdatedate AS updated_at,
       {consent_in_force('sharewithresearchasofdate')} AS in_force, sharewithresearchasofdate AS consent_at
FROM staging_customer
"""

CONSENTING = f"""
SELECT r.email_key, MAX(r.consent_at) AS consent_at
FROM ({_RECORDS}) r
WHERE r.email_key IS NOT NULL AND r.in_force
  AND NOT EXISTS (
      SELECT 1 FROM ({_RECORDS}) o
      WHERE o.email_key = r.email_key
        AND (o.updated_at > r.updated_at
             OR (r.updated_at IS NULL AND o.updated_at IS NOT NULL)
             OR ((o.updated_at = r.updated_at OR (o.updated_at IS NULL AND r.updated_at IS NULL))
                 AND NOT o.in_force)))
GROUP BY r.email_key
"""

# The instants at which each customer's phone recorded something: landing data, consenting or
# not, read only to decide a reading's owner.
_LANDING_INSTANTS = f"""
SELECT DISTINCT k.email_key, a."timestamp" AS reading_ms
FROM staging_accelerometer a
JOIN ({USER_KEYS}) k ON k.raw_user = a."user"
WHERE a."timestamp" IS NOT NULL
"""

# Each trusted step-trainer reading against every customer who registered its serial: the owner
# is the sole registrant, or the only registrant with landing accelerometer readings then.
_STEP_OWNERS = f"""
SELECT x.serial_number, x.reading_ms, x.reading_at, x.email_key
FROM (
    SELECT s.serial_number, s.reading_ms, s.reading_at, r.email_key, i.email_key IS NOT NULL AS was_there,
           COUNT(*) OVER (PARTITION BY s.serial_number, s.reading_ms, s.distance_from_object) AS registrants,
           SUM(CASE WHEN i.email_key IS NOT NULL THEN 1 ELSE 0 END)
               OVER (PARTITION BY s.serial_number, s.reading_ms, s.distance_from_object) AS there
    FROM step_trainer_trusted s
    JOIN ({REGISTRATION}) r ON r.serial_number = s.serial_number
    LEFT JOIN ({_LANDING_INSTANTS}) i ON i.email_key = r.email_key AND i.reading_ms = s.reading_ms
) x
WHERE x.registrants = 1 OR (x.was_there AND x.there = 1)
"""


def checks_for(scope: str = DEFAULT_CONSENT_SCOPE) -> list[Check]:
    if scope not in CONSENT_SCOPES:
        raise ValueError(f"unknown consent scope {scope!r}")
    out = [
        primary_key("customer_trusted", ["email"]),
        primary_key("accelerometer_trusted", ["email", "reading_ms", "x", "y", "z"]),
        primary_key("step_trainer_trusted", ["serial_number", "reading_ms", "distance_from_object"]),
        primary_key("dim_customer", ["customer_key"]),
        primary_key("dim_customer", ["email"]),
        primary_key("dim_device", ["device_key"]),
        primary_key("dim_device", ["serial_number"]),
        primary_key("dim_time", ["time_key"]),
        foreign_key("fact_accelerometer_reading", "customer_key", "dim_customer", "customer_key"),
        foreign_key("fact_accelerometer_reading", "time_key", "dim_time", "time_key"),
        foreign_key("fact_step_trainer_reading", "device_key", "dim_device", "device_key"),
        foreign_key("fact_step_trainer_reading", "time_key", "dim_time", "time_key"),
        foreign_key("machine_learning_curated", "customer_key", "dim_customer", "customer_key"),
        foreign_key("machine_learning_curated", "device_key", "dim_device", "device_key"),
        Check("privacy: every customer past landing consents (latest record, consent in force)", f"""
SELECT COUNT(*) FROM (
    SELECT email FROM customer_trusted UNION ALL SELECT email FROM customer_curated
    UNION ALL SELECT email FROM dim_customer UNION ALL SELECT email FROM accelerometer_trusted
    UNION ALL SELECT email FROM device_registration_trusted
) e WHERE NOT EXISTS (SELECT 1 FROM ({CONSENTING}) k WHERE k.email_key = e.email)
"""),
        Check("privacy: the consent date kept is the one in force", f"""
SELECT COUNT(*) FROM (
    SELECT email, research_consent_at FROM customer_trusted
    UNION ALL SELECT email, research_consent_at FROM customer_curated
    UNION ALL SELECT email, research_consent_at FROM dim_customer
    UNION ALL SELECT d.email, m.research_consent_at FROM machine_learning_curated m
              JOIN dim_customer d ON d.customer_key = m.customer_key
) e JOIN ({CONSENTING}) k ON k.email_key = e.email
WHERE e.research_consent_at IS NULL OR e.research_consent_at <> k.consent_at
"""),
        Check("privacy: each step-trainer reading belongs to one curated, consenting customer", f"""
SELECT COUNT(*) FROM step_trainer_trusted s
WHERE NOT EXISTS (
    SELECT 1 FROM ({_STEP_OWNERS}) w
    JOIN customer_curated c ON c.email = w.email_key
    JOIN ({CONSENTING}) k ON k.email_key = w.email_key
    WHERE w.serial_number = s.serial_number AND w.reading_ms = s.reading_ms
      {"AND w.reading_at >= k.consent_at" if scope == "from_consent_date" else ""}
)
"""),
        Check("machine learning: each row pairs one customer's own device and accelerometer reading", """
SELECT COUNT(*) FROM machine_learning_curated m
JOIN dim_customer dc ON dc.customer_key = m.customer_key
JOIN dim_device dd ON dd.device_key = m.device_key
LEFT JOIN device_registration_trusted r ON r.serial_number = dd.serial_number AND r.email = dc.email
LEFT JOIN customer_curated c ON c.email = dc.email
LEFT JOIN accelerometer_trusted a ON a.email = dc.email AND a.reading_ms = m.reading_ms
                                 AND a.x = m.x AND a.y = m.y AND a.z = m.z
WHERE r.email IS NULL OR c.email IS NULL OR a.email IS NULL
"""),
        Check("machine learning: no step-trainer reading paired with two customers", """
SELECT COUNT(*) FROM (
    SELECT device_key, reading_ms FROM machine_learning_curated
    GROUP BY device_key, reading_ms HAVING COUNT(DISTINCT customer_key) > 1
) t
"""),
    ]
    if scope == "from_consent_date":
        out.append(Check("privacy: no reading taken before its customer's consent", f"""
SELECT (SELECT COUNT(*) FROM accelerometer_trusted a JOIN ({CONSENTING}) k ON k.email_key = a.email
        WHERE a.reading_at < k.consent_at)
     + (SELECT COUNT(*) FROM machine_learning_curated m WHERE m.reading_at < m.research_consent_at)
"""))
    return out


CHECKS = checks_for()
