-- The warehouse's tables, in Redshift's own DDL.
CREATE TABLE IF NOT EXISTS customers (
    customer_id   INTEGER      NOT NULL ENCODE az64,
    name          VARCHAR(MAX) NOT NULL,
    country       CHAR(2),
    signed_up     DATE,
    PRIMARY KEY (customer_id)
) DISTSTYLE ALL;

CREATE TABLE IF NOT EXISTS orders (
    order_id      BIGINT IDENTITY(1, 1),
    customer_id   INTEGER        NOT NULL DISTKEY,
    ordered_at    TIMESTAMP      NOT NULL SORTKEY,
    amount        DECIMAL(10, 2) NOT NULL,
    status        VARCHAR(16)
);

CREATE TABLE IF NOT EXISTS customer_summary (
    customer_id   INTEGER,
    name          VARCHAR(256),
    orders        INTEGER,
    total         DECIMAL(12, 2),
    days_active   INTEGER,
    statuses      VARCHAR(1024)
) DISTKEY (customer_id) SORTKEY (customer_id);
