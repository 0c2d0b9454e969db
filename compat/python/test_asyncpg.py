"""asyncpg (Debian's python3-asyncpg) against the server VECGRES_URL names.

asyncpg speaks the binary protocol throughout and introspects unknown
types through the catalog: the scenario with a binary codec for vector
(set_type_codec, as pgvector's asyncpg support registers it), executemany,
binary COPY (copy_records_to_table), transactions and errors.

Run by compat/run; by hand:
    VECGRES_URL=postgres://me@127.0.0.1:5433/db python3 -m unittest -v test_asyncpg.py
"""

import os
import struct
import unittest

import asyncpg

URL = os.environ.get("VECGRES_URL")
if not URL:
    raise SystemExit("VECGRES_URL is not set: it names the server to test")

# asyncpg's own startup settings are used as they are: it sends
# client_encoding='utf-8', quotes included, which PostgreSQL (and vecgres)
# read as UTF8 because encoding names ignore punctuation.
SERVER_SETTINGS = {}


def encode_vector(values):
    return struct.pack(">HH%df" % len(values), len(values), 0, *values)


def decode_vector(data):
    dim, unused = struct.unpack_from(">HH", data)
    if unused != 0:
        raise ValueError("unused field is %d" % unused)
    return list(struct.unpack_from(">%df" % dim, data, 4))


class AsyncpgTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.conn = await asyncpg.connect(URL, server_settings=SERVER_SETTINGS)
        await self.conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        await self.conn.set_type_codec("vector", encoder=encode_vector, decoder=decode_vector, format="binary")
        await self.conn.execute("DROP TABLE IF EXISTS apg_items")
        await self.conn.execute("CREATE TABLE apg_items (id bigserial PRIMARY KEY, name text, embedding vector(3))")

    async def asyncTearDown(self):
        await self.conn.close()

    async def nearest(self, vec):
        rows = await self.conn.fetch("SELECT id, embedding FROM apg_items ORDER BY embedding <-> $1 LIMIT $2", vec, 5)
        return [r["id"] for r in rows], rows

    async def test_scenario(self):
        await self.conn.executemany("INSERT INTO apg_items (name, embedding) VALUES ($1, $2)",
                                    [("one", [1, 1, 1]), ("two", [2, 2, 2]), ("three", [1, 1, 2])])
        ids, rows = await self.nearest([1, 1, 1])
        self.assertEqual(ids, [1, 3, 2])
        self.assertEqual(rows[1]["embedding"], [1.0, 1.0, 2.0])
        self.assertEqual(await self.conn.execute("UPDATE apg_items SET embedding = $1 WHERE id = $2", [9, 9, 9], 1), "UPDATE 1")
        self.assertEqual((await self.nearest([1, 1, 1]))[0], [3, 2, 1])
        self.assertEqual(await self.conn.execute("DELETE FROM apg_items WHERE id = $1", 3), "DELETE 1")
        self.assertEqual((await self.nearest([1, 1, 1]))[0], [2, 1])
        with self.assertRaises(asyncpg.UniqueViolationError):
            await self.conn.execute("INSERT INTO apg_items (id, name) VALUES ($1, $2)", 1, "duplicate")
        with self.assertRaises(asyncpg.DataError):
            await self.conn.execute("INSERT INTO apg_items (name, embedding) VALUES ($1, $2)", "x", [1, 2])

    async def test_copy_and_transactions(self):
        records = [(i, "r%d" % i, [i, 0, 1]) for i in range(1, 201)]
        result = await self.conn.copy_records_to_table("apg_items", records=records, columns=["id", "name", "embedding"])
        self.assertEqual(result, "COPY 200")
        self.assertEqual((await self.nearest([7, 0, 1]))[0][0], 7)
        with self.assertRaises(asyncpg.DivisionByZeroError):
            async with self.conn.transaction():
                await self.conn.execute("DELETE FROM apg_items")
                await self.conn.execute("SELECT 1/0")
        self.assertEqual(await self.conn.fetchval("SELECT count(*) FROM apg_items"), 200)
        async with self.conn.transaction():
            await self.conn.execute("DELETE FROM apg_items WHERE id > $1", 100)
        self.assertEqual(await self.conn.fetchval("SELECT count(*) FROM apg_items"), 100)


if __name__ == "__main__":
    unittest.main()
