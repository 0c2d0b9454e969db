// Drizzle ORM (over node-postgres) against the server VECGRES_URL names:
// the scenario with Drizzle's vector column and its l2Distance helper.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { pgTable, bigserial, text, vector } from 'drizzle-orm/pg-core';
import { l2Distance, cosineDistance, eq, sql } from 'drizzle-orm';

const url = process.env.VECGRES_URL;
if (!url) {
  throw new Error('VECGRES_URL is not set: it names the server to test');
}

const items = pgTable('drizzle_items', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  name: text('name').notNull(),
  embedding: vector('embedding', { dimensions: 3 }),
});

let client;
let db;

before(async () => {
  client = new pg.Client({ connectionString: url });
  await client.connect();
  db = drizzle(client);
  await db.execute(sql`CREATE EXTENSION IF NOT EXISTS vector`);
  await db.execute(sql`DROP TABLE IF EXISTS drizzle_items`);
  await db.execute(sql`CREATE TABLE drizzle_items (id bigserial PRIMARY KEY, name text NOT NULL, embedding vector(3))`);
});

after(async () => {
  await client.end();
});

async function nearest(vec) {
  return db.select({ id: items.id, embedding: items.embedding })
    .from(items)
    .orderBy(l2Distance(items.embedding, vec))
    .limit(5);
}

test('drizzle: insert, nearest neighbours, update, delete, transaction', async () => {
  const inserted = await db.insert(items).values([
    { name: 'one', embedding: [1, 1, 1] },
    { name: 'two', embedding: [2, 2, 2] },
    { name: 'three', embedding: [1, 1, 2] },
  ]).returning({ id: items.id });
  assert.deepEqual(inserted.map((r) => r.id), [1, 2, 3]);

  let rows = await nearest([1, 1, 1]);
  assert.deepEqual(rows.map((r) => r.id), [1, 3, 2]);
  assert.deepEqual(rows[1].embedding, [1, 1, 2]);

  const dist = await db.select({ d: cosineDistance(items.embedding, [2, 2, 2]) }).from(items).where(eq(items.id, 1));
  assert.ok(Math.abs(Number(dist[0].d)) < 1e-6);

  await db.update(items).set({ embedding: [9, 9, 9] }).where(eq(items.id, 1));
  rows = await nearest([1, 1, 1]);
  assert.deepEqual(rows.map((r) => r.id), [3, 2, 1]);

  await db.delete(items).where(eq(items.id, 3));
  rows = await nearest([1, 1, 1]);
  assert.deepEqual(rows.map((r) => r.id), [2, 1]);

  await assert.rejects(db.transaction(async (tx) => {
    await tx.insert(items).values({ name: 'in tx', embedding: [0, 0, 0] });
    await tx.insert(items).values({ id: 1, name: 'duplicate', embedding: [0, 0, 0] });
  }), (err) => (err.code ?? err.cause?.code) === '23505');
  const left = await db.select({ id: items.id }).from(items).where(eq(items.name, 'in tx'));
  assert.equal(left.length, 0);
});
