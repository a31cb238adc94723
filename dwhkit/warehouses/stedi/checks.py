"""STEDI's reconciliation and data-quality queries (Redshift SQL, like the warehouse itself).

Reconciliation classifies every row of one zone by the single rule that decided its fate, so
the outcomes add up to the zone's row count and a reader can follow landing → curated.
"""
from ...quality import Check, foreign_key, primary_key
from .sql import DEVICE_CONSENT, EPOCH_MS, LATEST_CUSTOMER, STEP_FIELDS

MOVED = "moved on"

# (flow, query returning (outcome, rows)), each query covering every row of its source once.
RECONCILIATION = [
    ("customer: landing → trusted", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE
             WHEN s.email IS NULL THEN 'no email'
             WHEN ROW_NUMBER() OVER (PARTITION BY LOWER(TRIM(s.email))
                                     ORDER BY s.lastupdatedate DESC, s.registrationdate DESC, s.serialnumber) > 1
                  THEN 'superseded by a newer record of the same customer'
             WHEN s.sharewithresearchasofdate IS NULL THEN 'no research consent'
             ELSE '{MOVED}'
           END AS outcome
    FROM staging_customer s
) o GROUP BY outcome ORDER BY outcome
"""),
    ("accelerometer: landing → trusted", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE
             WHEN k.email_key IS NULL THEN 'reading of an unknown customer'
             WHEN c.email IS NULL THEN 'no research consent'
             WHEN a."timestamp" IS NULL THEN 'no reading time'
             WHEN {EPOCH_MS.format(col='a."timestamp"')} < c.research_consent_at THEN 'taken before research consent'
             WHEN ROW_NUMBER() OVER (PARTITION BY LOWER(TRIM(a."user")), a."timestamp", a.x, a.y, a.z
                                     ORDER BY a."timestamp") > 1 THEN 'duplicate'
             ELSE '{MOVED}'
           END AS outcome
    FROM staging_accelerometer a
    LEFT JOIN (SELECT DISTINCT LOWER(TRIM(email)) AS email_key FROM staging_customer) k
           ON k.email_key = LOWER(TRIM(a."user"))
    LEFT JOIN customer_trusted c ON c.email = LOWER(TRIM(a."user"))
) o GROUP BY outcome ORDER BY outcome
"""),
    ("step trainer: landing → trusted", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE
             WHEN r.serial_number IS NULL OR r.reading_ms IS NULL THEN 'malformed record'
             WHEN k.serialnumber IS NULL THEN 'reading of an unknown device'
             WHEN d.serial_number IS NULL THEN 'no research consent'
             WHEN {EPOCH_MS.format(col='r.reading_ms')} < d.consent_at THEN 'taken before research consent'
             WHEN ROW_NUMBER() OVER (PARTITION BY r.serial_number, r.reading_ms, r.distance_from_object
                                     ORDER BY r.reading_ms) > 1 THEN 'duplicate'
             ELSE '{MOVED}'
           END AS outcome
    FROM ({STEP_FIELDS}) r
    LEFT JOIN (SELECT DISTINCT serialnumber FROM staging_customer) k ON k.serialnumber = r.serial_number
    LEFT JOIN ({DEVICE_CONSENT}) d ON d.serial_number = r.serial_number
) o GROUP BY outcome ORDER BY outcome
"""),
    ("customer: trusted → curated", f"""
SELECT CASE WHEN EXISTS (SELECT 1 FROM accelerometer_trusted a WHERE a.email = c.email)
            THEN '{MOVED}' ELSE 'no readings' END AS outcome, COUNT(*)
FROM customer_trusted c GROUP BY 1 ORDER BY 1
"""),
    ("step trainer: trusted → machine learning", f"""
SELECT outcome, COUNT(*) FROM (
    SELECT CASE
             WHEN m.owners IS NULL THEN 'no accelerometer reading of its owner at that instant'
             WHEN m.owners > 1 THEN 'ambiguous customer (device shared)'
             ELSE '{MOVED}'
           END AS outcome
    FROM step_trainer_trusted s
    LEFT JOIN (
        SELECT s2.serial_number, s2.reading_ms, COUNT(DISTINCT a.email) AS owners
        FROM step_trainer_trusted s2
        JOIN device_registration_trusted r ON r.serial_number = s2.serial_number
        JOIN accelerometer_trusted a ON a.email = r.email AND a.reading_ms = s2.reading_ms
        GROUP BY s2.serial_number, s2.reading_ms
    ) m ON m.serial_number = s.serial_number AND m.reading_ms = s.reading_ms
) o GROUP BY outcome ORDER BY outcome
"""),
]

# The consenting customers, recomputed from landing independently of the trusted tables.
_CONSENTING = f"SELECT email_key FROM ({LATEST_CUSTOMER}) l WHERE sharewithresearchasofdate IS NOT NULL"

CHECKS = [
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
    Check("privacy: every customer past landing consented", f"""
SELECT COUNT(*) FROM (
    SELECT email FROM customer_trusted UNION ALL SELECT email FROM customer_curated
    UNION ALL SELECT email FROM dim_customer UNION ALL SELECT email FROM accelerometer_trusted
    UNION ALL SELECT email FROM device_registration_trusted
) e WHERE e.email NOT IN ({_CONSENTING})
"""),
    Check("privacy: no reading taken before its customer's consent", """
SELECT (SELECT COUNT(*) FROM accelerometer_trusted a JOIN customer_trusted c ON c.email = a.email
        WHERE a.reading_at < c.research_consent_at)
     + (SELECT COUNT(*) FROM machine_learning_curated m WHERE m.reading_at < m.research_consent_at)
"""),
    Check("privacy: step-trainer readings only from devices whose every owner consented", f"""
SELECT COUNT(*) FROM step_trainer_trusted s
WHERE s.serial_number NOT IN (SELECT serial_number FROM ({DEVICE_CONSENT}) d)
"""),
    Check("machine learning: each row pairs one customer's own device and accelerometer reading", """
SELECT COUNT(*) FROM machine_learning_curated m
JOIN dim_customer dc ON dc.customer_key = m.customer_key
JOIN dim_device dd ON dd.device_key = m.device_key
WHERE NOT EXISTS (SELECT 1 FROM device_registration_trusted r
                  WHERE r.serial_number = dd.serial_number AND r.email = dc.email)
   OR NOT EXISTS (SELECT 1 FROM accelerometer_trusted a
                  WHERE a.email = dc.email AND a.reading_ms = m.reading_ms
                    AND a.x = m.x AND a.y = m.y AND a.z = m.z)
"""),
    Check("machine learning: no step-trainer reading paired with two customers", """
SELECT COUNT(*) FROM (
    SELECT device_key, reading_ms FROM machine_learning_curated
    GROUP BY device_key, reading_ms HAVING COUNT(DISTINCT customer_key) > 1
) t
"""),
]
