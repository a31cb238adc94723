"""Criteo's reconciliation and data-quality queries (Redshift SQL, like the warehouse itself).

Reconciliation accounts for every landed impression and every (impression, feature) cell, so a
reader can follow a row from the file to the marts; the checks hold what Redshift does not
enforce (keys, references) and what the marts promise (each feature's rows sum to every impression).
"""
from ...quality import Check, primary_key
from .sample import CAT_FEATURES, INT_FEATURES
from .sql import LABELLED, MISSING, MIN_SUPPORT, RARE, all_category_counts

MOVED = "moved on"

RECONCILIATION = [
    ("impressions: landing → fact", f"""
SELECT CASE WHEN label IS NULL THEN 'no label'
            WHEN NOT ({LABELLED}) THEN 'label not 0 or 1'
            ELSE '{MOVED}' END AS outcome, COUNT(*)
FROM staging_impression GROUP BY 1 ORDER BY 1
"""),
    # one cell per (impression, categorical feature): 26 per fact row, counted per distinct
    # (feature, value) first and then weighed, so the join sees 277k groups, not 2.6M cells
    ("category cells: fact → mart", f"""
SELECT CASE WHEN u.value IS NULL THEN 'missing'
            WHEN d.impressions < {MIN_SUPPORT} THEN 'rare value (pooled)'
            ELSE '{MOVED}' END AS outcome, SUM(u.impressions)
FROM ({all_category_counts()}) u
LEFT JOIN dim_category d ON d.feature = u.feature AND d.value = u.value
GROUP BY 1 ORDER BY 1
"""),
]

_FACT_ROWS = "(SELECT COUNT(*) FROM fact_impression)"

CHECKS = [
    primary_key("fact_impression", ["impression_id"]),
    primary_key("dim_category", ["category_key"]),
    primary_key("dim_category", ["feature", "value"]),
    primary_key("mart_ctr_by_category", ["feature", "value"]),
    primary_key("mart_ctr_by_int_bucket", ["feature", "bucket_label"]),
    Check("fact: every label is 0 or 1", f"SELECT COUNT(*) FROM fact_impression WHERE NOT ({LABELLED})"),
    # fact rows whose value has no dim_category row (counted per distinct value, then weighed)
    Check("reference: every fact category value is in dim_category", f"""
SELECT COALESCE(SUM(c.impressions), 0) FROM ({all_category_counts(where_not_null=True)}) c
WHERE NOT EXISTS (SELECT 1 FROM dim_category d WHERE d.feature = c.feature AND d.value = c.value)
"""),
    Check("dim_category: frequencies match the fact", f"""
SELECT COUNT(*) FROM dim_category d
FULL OUTER JOIN ({all_category_counts(where_not_null=True)}) c
  ON c.feature = d.feature AND c.value = d.value
WHERE d.feature IS NULL OR c.feature IS NULL OR d.impressions <> c.impressions OR d.clicks <> c.clicks
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
