// node-postgres (pg), pgvector's node support and pg-copy-streams against
// the server VECGRES_URL names: the application scenario (a table with a
// vector(3) column, inserts, a nearest-neighbour query with a parameter,
// update, delete), COPY both ways, transactions, errors and timeouts.
//
// Run by compat/run, which starts a vecgres; by hand:
//   VECGRES_URL=postgres://me@127.0.0.1:5433/db npm test
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import pgvector from 'pgvector/pg';

const url = process.env.VECGRES_URL;
if (!url) {
  throw new Error('VECGRES_URL is not set: it names the server to test');
}

let client;

before(async () => {
  client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  await pgvector.registerTypes(client);
  await client.query('DROP TABLE IF EXISTS node_items');
  await client.query('CREATE TABLE node_items (id bigserial PRIMARY KEY, name text NOT NULL, embedding vector(3))');
});

after(async () => {
  await client.end();
});

const items = [
  ['one', [1, 1, 1]],
  ['two', [2, 2, 2]],
  ['three', [1, 1, 2]],
];

async function nearest(vec) {
  const res = await client.query({
    name: 'nearest',
    text: 'SELECT id, name, embedding FROM node_items ORDER BY embedding <-> $1 LIMIT $2',
    values: [pgvector.toSql(vec), 5],
  });
  return res.rows;
}

test('scenario: create, insert, nearest neighbours, update, delete', async () => {
  for (const [name, vec] of items) {
    const res = await client.query('INSERT INTO node_items (name, embedding) VALUES ($1, $2) RETURNING id', [name, pgvector.toSql(vec)]);
    assert.equal(res.rowCount, 1);
  }
  let rows = await nearest([1, 1, 1]);
  assert.deepEqual(rows.map((r) => r.id), ['1', '3', '2']);
  assert.deepEqual(rows[1].embedding, [1, 1, 2]);
  assert.equal(rows[1].name, 'three');

  const upd = await client.query('UPDATE node_items SET embedding = $1 WHERE id = $2', [pgvector.toSql([9, 9, 9]), 1]);
  assert.equal(upd.rowCount, 1);
  rows = await nearest([1, 1, 1]);
  assert.deepEqual(rows.map((r) => r.id), ['3', '2', '1']);

  const del = await client.query('DELETE FROM node_items WHERE id = $1', [3]);
  assert.equal(del.rowCount, 1);
  rows = await nearest([1, 1, 1]);
  assert.deepEqual(rows.map((r) => r.id), ['2', '1']);

  const dist = await client.query('SELECT embedding <-> $1 AS d, embedding <=> $1 AS c FROM node_items WHERE id = 2', [pgvector.toSql([2, 2, 2])]);
  assert.equal(dist.rows[0].d, 0);
  assert.ok(Math.abs(dist.rows[0].c) < 1e-6);
});

test('errors carry SQLSTATE, constraint, position', async () => {
  await assert.rejects(client.query('INSERT INTO node_items (id, name) VALUES ($1, $2)', [2, 'dup']),
    (err) => err.code === '23505' && err.constraint === 'node_items_pkey');
  await assert.rejects(client.query('INSERT INTO node_items (name, embedding) VALUES ($1, $2)', ['x', '[1,2]']),
    (err) => err.code === '22000' && err.message === 'expected 3 dimensions, not 2');
  await assert.rejects(client.query('SELECT nosuch FROM node_items'),
    (err) => err.code === '42703' && err.position === '8');
  const ok = await client.query('SELECT 1 AS one');
  assert.equal(ok.rows[0].one, 1);
});

test('transactions: rollback, failed state, commit', async () => {
  await client.query('BEGIN');
  await client.query("INSERT INTO node_items (name) VALUES ('in tx')");
  await assert.rejects(client.query('SELECT 1/0'), (err) => err.code === '22012');
  await assert.rejects(client.query('SELECT 1'), (err) => err.code === '25P02');
  await client.query('ROLLBACK');
  let res = await client.query("SELECT count(*)::int AS n FROM node_items WHERE name = 'in tx'");
  assert.equal(res.rows[0].n, 0);

  await client.query('BEGIN');
  await client.query("INSERT INTO node_items (name) VALUES ('committed')");
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  try {
    res = await other.query("SELECT count(*)::int AS n FROM node_items WHERE name = 'committed'");
    assert.equal(res.rows[0].n, 0, 'another session saw an uncommitted row');
    await client.query('COMMIT');
    res = await other.query("SELECT count(*)::int AS n FROM node_items WHERE name = 'committed'");
    assert.equal(res.rows[0].n, 1);
  } finally {
    await other.end();
  }
});

test('COPY FROM STDIN and TO STDOUT with pg-copy-streams', async () => {
  await client.query('DROP TABLE IF EXISTS node_copy');
  await client.query('CREATE TABLE node_copy (id int PRIMARY KEY, embedding vector(3))');
  const lines = [];
  for (let i = 0; i < 1000; i++) {
    lines.push(`${i}\t[${i},${i + 1},${i + 2}]\n`);
  }
  const from = client.query(copyStreams.from('COPY node_copy FROM STDIN'));
  await pipeline(Readable.from(lines), from);
  assert.equal(from.rowCount, 1000);

  const chunks = [];
  const to = client.query(copyStreams.to('COPY (SELECT id, embedding FROM node_copy WHERE id < 3 ORDER BY id) TO STDOUT WITH (FORMAT csv)'));
  await pipeline(to, new Writable({
    write(chunk, _enc, cb) { chunks.push(chunk); cb(); },
  }));
  assert.equal(Buffer.concat(chunks).toString(), '0,"[0,1,2]"\n1,"[1,2,3]"\n2,"[2,3,4]"\n');

  // A bad row fails the COPY with its line number, and nothing is kept.
  const bad = client.query(copyStreams.from('COPY node_copy FROM STDIN'));
  await assert.rejects(pipeline(Readable.from(['2000\t[1,1,1]\n', '2001\t[1,1]\n']), bad),
    (err) => err.code === '22000' && err.where === 'COPY node_copy, line 2, column embedding: "[1,1]"');
  const res = await client.query('SELECT count(*)::int AS n FROM node_copy');
  assert.equal(res.rows[0].n, 1000);
});

test('a pool serves concurrent queries', async () => {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  try {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      pool.query('SELECT id FROM node_copy ORDER BY embedding <-> $1 LIMIT 1', [pgvector.toSql([i, i + 1, i + 2])])));
    results.forEach((res, i) => assert.equal(res.rows[0].id, i));
  } finally {
    await pool.end();
  }
});

test('statement_timeout from the connection options cancels with 57014', async () => {
  await client.query('DROP TABLE IF EXISTS node_ten');
  await client.query('DROP TABLE IF EXISTS node_big');
  await client.query('CREATE TABLE node_ten (i int)');
  await client.query('INSERT INTO node_ten VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
  await client.query('CREATE TABLE node_big (i int)');
  await client.query('INSERT INTO node_big SELECT a.i * 10000 + b.i * 1000 + c.i * 100 + d.i * 10 + e.i FROM node_ten a, node_ten b, node_ten c, node_ten d, node_ten e');
  const c = new pg.Client({ connectionString: url, statement_timeout: 1000 });
  await c.connect();
  try {
    // 100000 rows of 100 kB strings: far longer than the timeout.
    await assert.rejects(c.query('SELECT count(*) FROM node_big WHERE length(repeat(i::text, 20000)) < 0'),
      (err) => err.code === '57014' && err.message === 'canceling statement due to statement timeout');
    const res = await c.query('SHOW statement_timeout');
    assert.equal(res.rows[0].statement_timeout, '1s');
  } finally {
    await c.end();
  }
});
