-- Rebuild the per-customer summary from the loaded orders (Redshift functions throughout).
DELETE FROM customer_summary;
INSERT INTO customer_summary
SELECT c.customer_id,
       c.name,
       COUNT(o.order_id)                                              AS orders,
       NVL(SUM(o.amount), 0)                                          AS total,
       NVL(DATEDIFF(day, MIN(o.ordered_at), MAX(o.ordered_at)), 0)   AS days_active,
       LISTAGG(DISTINCT o.status, ',') WITHIN GROUP (ORDER BY o.status) AS statuses
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.customer_id
GROUP BY c.customer_id, c.name;
