-- psql against vecgres: the scenario with \copy both ways, run by
-- compat/run and compared with scenario.expected (recorded from PostgreSQL 15
-- with pgvector: compat/run --record URL).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS vector;
DROP TABLE IF EXISTS psql_items;
CREATE TABLE psql_items (id bigint PRIMARY KEY, name text, embedding vector(3));
\copy psql_items FROM 'items.tsv'
\copy psql_items (id, embedding) FROM 'items.csv' WITH (FORMAT csv, HEADER)
\set q '[1,1,1]'
SELECT id, name, embedding, round((embedding <-> :'q')::numeric, 4) AS distance
  FROM psql_items WHERE embedding IS NOT NULL ORDER BY embedding <-> :'q' LIMIT 3;
\copy psql_items (id, embedding) TO STDOUT
UPDATE psql_items SET embedding = '[9,9,9]' WHERE id = 1;
DELETE FROM psql_items WHERE id = 3;
SELECT id FROM psql_items WHERE embedding IS NOT NULL ORDER BY embedding <-> :'q' LIMIT 5;
\copy (SELECT * FROM psql_items ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)
-- A bad row fails the whole \copy, with its line in CONTEXT.
\copy psql_items FROM 'bad.tsv'
SELECT count(*) FROM psql_items;
-- Errors inside a transaction block, then ROLLBACK.
BEGIN;
INSERT INTO psql_items VALUES (20, 'twenty', '[2,0,2]');
SELECT 1/0;
SELECT 1;
ROLLBACK;
SELECT count(*) FROM psql_items WHERE id = 20;
-- Binary both ways, through a file.
\copy (SELECT id, embedding FROM psql_items ORDER BY id) TO 'out.bin' WITH (FORMAT binary)
DROP TABLE IF EXISTS psql_copy;
CREATE TABLE psql_copy (id bigint, embedding vector(3));
\copy psql_copy FROM 'out.bin' WITH (FORMAT binary)
SELECT * FROM psql_copy ORDER BY id;
DROP TABLE psql_items;
DROP TABLE psql_copy;
