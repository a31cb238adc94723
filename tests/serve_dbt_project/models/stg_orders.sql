-- a view (the project default): Redshift SQL, translated by the endpoint
select order_id, customer_id, amount, ordered_at,
       datediff(day, '2024-01-01'::date, ordered_at) as days_in,
       nvl(amount, 0) as amount_or_zero
from {{ ref('orders') }}
