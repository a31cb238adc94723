"""The Criteo ad-click warehouse, in Amazon Redshift's SQL dialect.

Zones: landing (staging_impression, appended to by COPY or by a COPY JOB) → star schema
(fact_impression with the click label; dim_category, one row per (feature, value) with its
frequencies) → marts (click-through rate by categorical value and by integer-feature bucket).
Every step rebuilds or merges, so a rerun gives identical counts and keeps dimension keys.
"""
from .sample import CAT_FEATURES, INT_FEATURES

MIN_SUPPORT = 20   # categorical values seen fewer times than this are pooled as '(rare)' in the mart
MISSING = "(missing)"
RARE = "(rare)"

_INT_COLS = ",\n".join(f"    {c.lower():<5} BIGINT" for c in INT_FEATURES)
_CAT_COLS = ",\n".join(f"    {c.lower():<5} VARCHAR(8)" for c in CAT_FEATURES)
_ALL = ", ".join(c.lower() for c in INT_FEATURES + CAT_FEATURES)

# -- landing ---------------------------------------------------------------------------------
# The file's fields in order; impression_id is an IDENTITY column, which COPY without a column
# list skips (§1), so every line gets a surrogate key as it lands.
STAGING_IMPRESSION = f"""
CREATE TABLE IF NOT EXISTS staging_impression (
    impression_id BIGINT IDENTITY(1, 1),
    label SMALLINT,
{_INT_COLS},
{_CAT_COLS}
) DISTSTYLE EVEN
"""

# -- star schema -----------------------------------------------------------------------------
FACT_IMPRESSION = f"""
CREATE TABLE IF NOT EXISTS fact_impression (
    impression_id BIGINT NOT NULL,
    label SMALLINT NOT NULL,
{_INT_COLS},
{_CAT_COLS},
    PRIMARY KEY (impression_id)
) DISTKEY (impression_id) SORTKEY (label)
"""

# One row per value a categorical feature takes; a fact's C1 = 'x' refers to ('C1', 'x').
DIM_CATEGORY = """
CREATE TABLE IF NOT EXISTS dim_category (
    category_key BIGINT IDENTITY(1, 1),
    feature      VARCHAR(3) NOT NULL,
    value        VARCHAR(8) NOT NULL,
    impressions  BIGINT     NOT NULL,
    clicks       BIGINT     NOT NULL,
    PRIMARY KEY (category_key)
) DISTSTYLE ALL SORTKEY (feature, value)
"""

# -- marts -----------------------------------------------------------------------------------
MART_CTR_BY_CATEGORY = """
CREATE TABLE IF NOT EXISTS mart_ctr_by_category (
    feature     VARCHAR(3)  NOT NULL,
    value       VARCHAR(16) NOT NULL,
    impressions BIGINT      NOT NULL,
    clicks      BIGINT      NOT NULL,
    ctr         DOUBLE PRECISION NOT NULL,
    lift        DOUBLE PRECISION,
    PRIMARY KEY (feature, value)
) DISTSTYLE ALL SORTKEY (feature)
"""

MART_CTR_BY_INT_BUCKET = """
CREATE TABLE IF NOT EXISTS mart_ctr_by_int_bucket (
    feature      VARCHAR(3)  NOT NULL,
    bucket_label VARCHAR(16) NOT NULL,
    bucket       INTEGER,
    min_value    BIGINT,
    max_value    BIGINT,
    impressions  BIGINT      NOT NULL,
    clicks       BIGINT      NOT NULL,
    ctr          DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (feature, bucket_label)
) DISTSTYLE ALL SORTKEY (feature)
"""

TABLES = [
    ("staging_impression", "landing", STAGING_IMPRESSION),
    ("fact_impression", "star", FACT_IMPRESSION),
    ("dim_category", "star", DIM_CATEGORY),
    ("mart_ctr_by_category", "mart", MART_CTR_BY_CATEGORY),
    ("mart_ctr_by_int_bucket", "mart", MART_CTR_BY_INT_BUCKET),
]

create_table_queries = [ddl.strip() for _, _, ddl in TABLES]
drop_table_queries = [f"DROP TABLE IF EXISTS {name} CASCADE" for name, _, _ in reversed(TABLES)]

# -- COPY --------------------------------------------------------------------------------------
# Tab-separated, gzip'd, no header. Empty integer fields are NULL by themselves; EMPTYASNULL
# makes an empty category NULL too (not ''). The column list names the file's fields so the
# IDENTITY key is filled by the table.
COPY_IMPRESSION = f"""
COPY staging_impression (label, {_ALL})
FROM '{{source}}'
{{auth}}
DELIMITER '\\t'
GZIP
EMPTYASNULL
COMPUPDATE OFF STATUPDATE OFF
"""

# -- transformations ---------------------------------------------------------------------------
LABELLED = "label IN (0, 1)"

FACT_REBUILD = [
    "DELETE FROM fact_impression",
    f"""
INSERT INTO fact_impression (impression_id, label, {_ALL})
SELECT impression_id, label, {_ALL}
FROM staging_impression
WHERE {LABELLED}
""",
]


def _unpivot_categories(select: str, where: str = "") -> str:
    """One row per (impression, categorical feature): Redshift has no 26-way unpivot worth the
    portability risk, so a UNION ALL of one SELECT per feature."""
    return "\nUNION ALL\n".join(
        f"SELECT '{c}' AS feature, {c.lower()} AS value, {select} FROM fact_impression {where}" for c in CAT_FEATURES)


CATEGORY_COUNTS = f"""
SELECT feature, value, COUNT(*) AS impressions, SUM(label) AS clicks
FROM ({_unpivot_categories('label')}) u
WHERE value IS NOT NULL
GROUP BY feature, value
"""

# Merge, never append: a value keeps its key across reruns; frequencies are refreshed.
DIM_CATEGORY_MERGE = [
    f"""
DELETE FROM dim_category
WHERE NOT EXISTS (SELECT 1 FROM ({CATEGORY_COUNTS}) c
                  WHERE c.feature = dim_category.feature AND c.value = dim_category.value)
""",
    f"""
UPDATE dim_category
SET impressions = c.impressions, clicks = c.clicks
FROM ({CATEGORY_COUNTS}) c
WHERE dim_category.feature = c.feature AND dim_category.value = c.value
""",
    f"""
INSERT INTO dim_category (feature, value, impressions, clicks)
SELECT c.feature, c.value, c.impressions, c.clicks
FROM ({CATEGORY_COUNTS}) c
WHERE NOT EXISTS (SELECT 1 FROM dim_category d WHERE d.feature = c.feature AND d.value = c.value)
ORDER BY c.feature, c.impressions DESC, c.value
""",
]

BASE_RATE = "(SELECT AVG(CAST(label AS DOUBLE PRECISION)) FROM fact_impression)"

# Each feature's rows add up to every impression: its values seen MIN_SUPPORT times or more,
# the rest pooled as '(rare)', and the impressions without a value as '(missing)'.
MART_CATEGORY_REBUILD = [
    "DELETE FROM mart_ctr_by_category",
    f"""
INSERT INTO mart_ctr_by_category (feature, value, impressions, clicks, ctr, lift)
SELECT g.feature, g.value, SUM(g.impressions), SUM(g.clicks),
       CAST(SUM(g.clicks) AS DOUBLE PRECISION) / SUM(g.impressions),
       CAST(SUM(g.clicks) AS DOUBLE PRECISION) / SUM(g.impressions) / NULLIF({BASE_RATE}, 0)
FROM (
    SELECT feature, CASE WHEN impressions >= {MIN_SUPPORT} THEN value ELSE '{RARE}' END AS value,
           impressions, clicks
    FROM dim_category
    UNION ALL
    SELECT feature, '{MISSING}', COUNT(*), SUM(label)
    FROM ({_unpivot_categories('label')}) u
    WHERE value IS NULL
    GROUP BY feature
) g
GROUP BY g.feature, g.value
""",
]


def _bucket(col: str) -> str:
    """The integer features' usual discretisation (the 2014 Kaggle winners'): values up to 2 as
    they are, larger ones by floor(ln(v)²), so a heavy tail lands in a few dozen buckets."""
    return f"CASE WHEN {col} <= 2 THEN {col} ELSE CAST(FLOOR(LN({col}) * LN({col})) AS BIGINT) + 2 END"


_INT_LONG = "\nUNION ALL\n".join(
    f"SELECT '{c}' AS feature, {c.lower()} AS v, label FROM fact_impression" for c in INT_FEATURES)

MART_BUCKET_REBUILD = [
    "DELETE FROM mart_ctr_by_int_bucket",
    f"""
INSERT INTO mart_ctr_by_int_bucket (feature, bucket_label, bucket, min_value, max_value, impressions, clicks, ctr)
SELECT feature,
       CASE WHEN bucket IS NULL THEN '{MISSING}' ELSE CAST(bucket AS VARCHAR(16)) END,
       bucket, MIN(v), MAX(v), COUNT(*), SUM(label), CAST(SUM(label) AS DOUBLE PRECISION) / COUNT(*)
FROM (SELECT feature, v, label, {_bucket('v')} AS bucket FROM ({_INT_LONG}) l) b
GROUP BY feature, bucket
""",
]

# (step name, zone, statements): each step runs in one transaction.
TRANSFORM_STEPS = [
    ("impressions", "star", FACT_REBUILD),
    ("category dimension", "star", DIM_CATEGORY_MERGE),
    ("marts", "mart", MART_CATEGORY_REBUILD + MART_BUCKET_REBUILD),
]

insert_table_queries = [stmt.strip() for _, _, stmts in TRANSFORM_STEPS for stmt in stmts]
