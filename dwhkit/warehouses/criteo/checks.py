"""Criteo's reconciliation and data-quality queries (Redshift SQL, like the warehouse itself).

Reconciliation accounts for every landed impression and every (impression, feature) cell, so a
reader can follow a row from the file to the marts; the checks hold what Redshift does not
enforce (keys, references) and what the marts promise (each feature's rows sum to every impression).
"""
from ...quality import Check, primary_key
from .sample import CAT_FEATURES, INT_FEATURES
from .sql import LABELLED, MISSING, MIN_SUPPORT, RARE, _unpivot_categories

MOVED = "moved on"

RECONCILIATION = [
    ("impressions: landing → fact", f"""
SELECT CASE WHEN label IS NULL THEN 'no label'
            WHEN NOT ({LABELLED}) THEN 'label not 0 or 1'
            ELSE '{MOVED}' END AS outcome, COUNT(*)
FROM staging_impression GROUP BY 1 ORDER BY 1
"""),
    # one row per (impression, categorical feature): 26 per fact row
    ("category cells: fact → mart", f"""
SELECT CASE WHEN u.value IS NULL THEN 'missing'
            WHEN d.impressions < {MIN_SUPPORT} THEN 'rare value (pooled)'
            ELSE '{MOVED}' END AS outcome, COUNT(*)
FROM ({_unpivot_categories('label')}) u
LEFT JOIN dim_category d ON d.feature = u.feature AND d.value = u.value
GROUP BY 1 ORDER BY 1
"""),
]

_FACT_ROWS = "(SELECT COUNT(*) FROM fact_impression)"
_CAT_REFS = "\nUNION ALL\n".join(
    f"SELECT COUNT(*) AS n FROM fact_impression f WHERE f.{c.lower()} IS NOT NULL AND NOT EXISTS "
    f"(SELECT 1 FROM dim_category d WHERE d.feature = '{c}' AND d.value = f.{c.lower()})" for c in CAT_FEATURES)

CHECKS = [
    primary_key("fact_impression", ["impression_id"]),
    primary_key("dim_category", ["category_key"]),
    primary_key("dim_category", ["feature", "value"]),
    primary_key("mart_ctr_by_category", ["feature", "value"]),
    primary_key("mart_ctr_by_int_bucket", ["feature", "bucket_label"]),
    Check("fact: every label is 0 or 1", f"SELECT COUNT(*) FROM fact_impression WHERE NOT ({LABELLED})"),
    Check("reference: every fact category value is in dim_category", f"SELECT SUM(n) FROM ({_CAT_REFS}) r"),
    Check("dim_category: frequencies match the fact", f"""
SELECT COUNT(*) FROM dim_category d
FULL OUTER JOIN (SELECT feature, value, COUNT(*) AS n, SUM(label) AS k
                 FROM ({_unpivot_categories('label')}) u WHERE value IS NOT NULL GROUP BY feature, value) c
  ON c.feature = d.feature AND c.value = d.value
WHERE d.feature IS NULL OR c.feature IS NULL OR d.impressions <> c.n OR d.clicks <> c.k
"""),
    Check("mart_ctr_by_category: each feature's rows add up to every impression", f"""
SELECT COUNT(*) FROM (
    SELECT feature FROM mart_ctr_by_category GROUP BY feature
    HAVING SUM(impressions) <> {_FACT_ROWS} OR SUM(clicks) <> (SELECT SUM(label) FROM fact_impression)
) f
"""),
    Check("mart_ctr_by_category: every categorical feature present",
          f"SELECT {len(CAT_FEATURES)} - COUNT(DISTINCT feature) FROM mart_ctr_by_category "
          f"WHERE {_FACT_ROWS} > 0"),
    Check("mart_ctr_by_category: values below the support threshold are pooled", f"""
SELECT COUNT(*) FROM mart_ctr_by_category
WHERE value NOT IN ('{RARE}', '{MISSING}') AND impressions < {MIN_SUPPORT}
"""),
    Check("mart_ctr_by_int_bucket: each feature's buckets add up to every impression", f"""
SELECT COUNT(*) FROM (
    SELECT feature FROM mart_ctr_by_int_bucket GROUP BY feature
    HAVING SUM(impressions) <> {_FACT_ROWS} OR SUM(clicks) <> (SELECT SUM(label) FROM fact_impression)
) f
"""),
    Check("mart_ctr_by_int_bucket: every integer feature present",
          f"SELECT {len(INT_FEATURES)} - COUNT(DISTINCT feature) FROM mart_ctr_by_int_bucket "
          f"WHERE {_FACT_ROWS} > 0"),
    Check("marts: click-through rates between 0 and 1", """
SELECT (SELECT COUNT(*) FROM mart_ctr_by_category WHERE clicks > impressions OR ctr < 0 OR ctr > 1)
     + (SELECT COUNT(*) FROM mart_ctr_by_int_bucket WHERE clicks > impressions OR ctr < 0 OR ctr > 1)
"""),
]
