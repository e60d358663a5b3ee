-- tables.sql: a SQL workload for sqlite3, run with and without memsnap; every
-- line it prints must be the same both ways.
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, region TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, amount INTEGER, note TEXT);

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO customers SELECT i, 'customer-' || i, 'region-' || (i % 17) FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
INSERT INTO orders SELECT i, 1 + (i * 7919) % 2000, (i * 104729) % 10007,
                          printf('%.*c', i % 300, 'z')
FROM n;

CREATE INDEX orders_by_customer ON orders(customer);

SELECT count(*), sum(amount), max(length(note)) FROM orders;

SELECT c.region, count(o.id), sum(o.amount), avg(o.amount)
FROM customers c JOIN orders o ON o.customer = c.id
GROUP BY c.region ORDER BY c.region;

SELECT c.name, count(*) AS n FROM customers c JOIN orders o ON o.customer = c.id
WHERE c.id BETWEEN 100 AND 110 GROUP BY c.id ORDER BY n DESC, c.name;

UPDATE orders SET note = upper(note) WHERE amount % 5 = 0;
DELETE FROM orders WHERE amount % 3 = 0;
SELECT count(*), sum(length(note)), group_concat(DISTINCT amount % 10) FROM orders;

SELECT region, total FROM (
  SELECT c.region AS region, sum(o.amount) AS total
  FROM customers c LEFT JOIN orders o ON o.customer = c.id GROUP BY c.region)
ORDER BY total DESC LIMIT 5;
