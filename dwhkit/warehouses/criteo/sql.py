"""The Criteo ad-click warehouse, in Amazon Redshift's SQL dialect.

Zones: landing (staging_impression, appended to by COPY or by a COPY JOB) → star schema
(fact_impression with the click label; dim_category, one row per (feature, value) with its
frequencies) → marts (click-through rate by categorical value and by integer-feature bucket).
Every step rebuilds or merges, so a rerun gives identical counts and keeps dimension keys.
"""

from ..model import Step, Table

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
    Table("staging_impression", "landing", STAGING_IMPRESSION),
    Table("fact_impression", "star", FACT_IMPRESSION),
    Table("dim_category", "star", DIM_CATEGORY),
    Table("mart_ctr_by_category", "mart", MART_CTR_BY_CATEGORY),
    Table("mart_ctr_by_int_bucket", "mart", MART_CTR_BY_INT_BUCKET),
]

create_table_queries = [t.ddl.strip() for t in TABLES]
drop_table_queries = [f"DROP TABLE IF EXISTS {t.name} CASCADE" for t in reversed(TABLES)]

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


def category_counts(feature: str) -> str:
    """One feature's values with their impressions and clicks, from one column of the fact."""
    col = feature.lower()
    return (f"SELECT CAST('{feature}' AS VARCHAR(3)) AS feature, {col} AS value, COUNT(*) AS impressions, "
            f"SUM(label) AS clicks FROM fact_impression WHERE {col} IS NOT NULL GROUP BY {col}")


# One row per (impression, categorical feature): Redshift has no 26-way unpivot worth the
# portability risk, so a UNION ALL of one SELECT per feature.
CATEGORY_CELLS = "\nUNION ALL\n".join(
    f"SELECT CAST('{c}' AS VARCHAR(3)) AS feature, {c.lower()} AS value, label FROM fact_impression"
    for c in CAT_FEATURES)


def all_category_counts(where_not_null: bool = False) -> str:
    """Every feature's (value, impressions, clicks) as one relation, for the checks: a single query
    over the unpivoted cells. (One aggregate over 2.6M rows rather than 26 small ones inside one
    plan: Postgres JIT-compiles every aggregate node of a plan, which costs more than it saves.)"""
    where = "WHERE value IS NOT NULL" if where_not_null else ""
    return (f"SELECT feature, value, COUNT(*) AS impressions, SUM(label) AS clicks\n"
            f"FROM ({CATEGORY_CELLS}) u {where}\nGROUP BY feature, value")


# The merge: the counts are computed once per run into a temp table, then three set-based
# statements delete vanished values, update changed counts and insert new values (the old merge
# recomputed the 26-way unpivot and its aggregate inside each of the three).
# - One INSERT per feature: each groups one column of the fact. On Postgres a one-statement form
#   is JIT-compiled as one 26-branch plan (over a second for a 100k-row sample); on Redshift it is
#   the same scan work either way.
# - ANALYZE: Postgres never auto-analyzes temp tables; without statistics it guesses the row count
#   and sorts both sides for merge joins instead of hashing. On Redshift it is the usual ANALYZE
#   after filling a table, temp tables included:
#   https://docs.aws.amazon.com/redshift/latest/dg/r_ANALYZE.html
# - SORTKEY (feature, value), the same as dim_category's, so on Redshift the joins of the merge
#   can be merge joins. On Postgres SORTKEY is recorded, not indexed, and a B-tree here would not
#   help: every statement reads both tables whole, and hash joins do that best (measured: B-tree
#   indexes on (feature, value) of both tables made this step slower, by their upkeep).
# - No DROP IF EXISTS first: the step is one transaction, so a failed run leaves no temp table,
#   and a DROP IF EXISTS could drop a permanent table of that name when no temp table shadows it.
CATEGORY_STAGE = "category_counts"
_STAGE_DDL = f"""
CREATE TEMP TABLE {CATEGORY_STAGE} (
    feature     VARCHAR(3) NOT NULL,
    value       VARCHAR(8) NOT NULL,
    impressions BIGINT     NOT NULL,
    clicks      BIGINT     NOT NULL
) DISTSTYLE ALL SORTKEY (feature, value)
"""

_MATCH = "dim_category.feature = c.feature AND dim_category.value = c.value"

# Merge, never append: a value keeps its key across reruns; frequencies are refreshed.
DIM_CATEGORY_MERGE = [
    _STAGE_DDL,
    *(f"INSERT INTO {CATEGORY_STAGE} (feature, value, impressions, clicks)\n"
      f"{category_counts(c)}" for c in CAT_FEATURES),
    f"ANALYZE {CATEGORY_STAGE}",
    f"""
DELETE FROM dim_category
WHERE NOT EXISTS (SELECT 1 FROM {CATEGORY_STAGE} c WHERE {_MATCH})
""",
    # only the rows whose counts changed: a rerun on the same data rewrites nothing
    f"""
UPDATE dim_category
SET impressions = c.impressions, clicks = c.clicks
FROM {CATEGORY_STAGE} c
WHERE {_MATCH}
  AND (dim_category.impressions <> c.impressions OR dim_category.clicks <> c.clicks)
""",
    f"""
INSERT INTO dim_category (feature, value, impressions, clicks)
SELECT c.feature, c.value, c.impressions, c.clicks
FROM {CATEGORY_STAGE} c
WHERE NOT EXISTS (SELECT 1 FROM dim_category d WHERE d.feature = c.feature AND d.value = c.value)
ORDER BY c.feature, c.impressions DESC, c.value
""",
    # Statistics for the marts and checks that read it next, as Redshift's "Analyzing tables"
    # advises for an ETL (https://docs.aws.amazon.com/redshift/latest/dg/t_Analyzing_tables.html).
    # On Postgres it decides the checks' plans: dim_category joined with the unpivoted fact
    # without statistics sorted 2.3M rows to disk for merge joins (2.5-3.2 s per check), with
    # them it hashes (0.9-1.7 s). fact_impression needs no ANALYZE here: it is a whole-table
    # rewrite, which the embedded server's autovacuum analyzes within a second (embedded.py).
    "ANALYZE dim_category",
    f"DROP TABLE {CATEGORY_STAGE}",
]

BASE_RATE = "(SELECT AVG(CAST(label AS DOUBLE PRECISION)) FROM fact_impression)"

# Each feature's rows add up to every impression: its values seen MIN_SUPPORT times or more,
# the rest pooled as '(rare)', and the impressions without a value as '(missing)'. Missing is
# what the feature's values in dim_category do not account for (all impressions minus the sum of
# its values' counts: dim_category was just refreshed from this fact, and the check "dim_category:
# frequencies match the fact" holds it to that), so the fact is not unpivoted again here.
_FEATURES = "\nUNION ALL\n".join(f"SELECT CAST('{c}' AS VARCHAR(3)) AS feature" for c in CAT_FEATURES)

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
    SELECT f.feature, '{MISSING}', t.impressions - COALESCE(SUM(d.impressions), 0),
           t.clicks - COALESCE(SUM(d.clicks), 0)
    FROM ({_FEATURES}) f
    CROSS JOIN (SELECT COUNT(*) AS impressions, SUM(label) AS clicks FROM fact_impression) t
    LEFT JOIN dim_category d ON d.feature = f.feature
    GROUP BY f.feature, t.impressions, t.clicks
    HAVING t.impressions - COALESCE(SUM(d.impressions), 0) > 0
) g
GROUP BY g.feature, g.value
""",
]


def _bucket(col: str) -> str:
    """The integer features' usual discretisation (the 2014 Kaggle winners'): values up to 2 as
    they are, larger ones by floor(ln(v)²), so a heavy tail lands in a few dozen buckets."""
    return f"CASE WHEN {col} <= 2 THEN {col} ELSE CAST(FLOOR(LN({col}) * LN({col})) AS BIGINT) + 2 END"


# One INSERT per integer feature (its buckets from one column), for the reason the category
# counts are per feature: 13 small queries, not one 13-branch plan over 1.3M unpivoted rows.
def _int_buckets(feature: str) -> str:
    col = feature.lower()
    return f"""
INSERT INTO mart_ctr_by_int_bucket (feature, bucket_label, bucket, min_value, max_value, impressions, clicks, ctr)
SELECT CAST('{feature}' AS VARCHAR(3)),
       CASE WHEN bucket IS NULL THEN '{MISSING}' ELSE CAST(bucket AS VARCHAR(16)) END,
       bucket, MIN(v), MAX(v), COUNT(*), SUM(label), CAST(SUM(label) AS DOUBLE PRECISION) / COUNT(*)
FROM (SELECT {col} AS v, label, {_bucket(col)} AS bucket FROM fact_impression) b
GROUP BY bucket
"""


MART_BUCKET_REBUILD = ["DELETE FROM mart_ctr_by_int_bucket", *(_int_buckets(c) for c in INT_FEATURES)]

# Each step runs in one transaction.
TRANSFORM_STEPS = [
    Step("impressions", "star", FACT_REBUILD),
    Step("category dimension", "star", DIM_CATEGORY_MERGE),
    Step("marts", "mart", MART_CATEGORY_REBUILD + MART_BUCKET_REBUILD),
]

insert_table_queries = [stmt.strip() for step in TRANSFORM_STEPS for stmt in step.statements]
