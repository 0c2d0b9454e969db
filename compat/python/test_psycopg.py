"""psycopg 3 (Debian's python3-psycopg) against the server VECGRES_URL names.

The application scenario (a table with a vector(3) column, inserts, a
nearest-neighbour query with a parameter, update, delete) in text and in
binary, COPY both ways in text and binary, pipelines, prepared statements,
transactions and cancellation. No Debian package ships pgvector's Python
adapter, so a small one is written here: Vector values are dumped and
loaded in pgvector's text form ([1,2,3]) and binary form (uint16
dimensions, uint16 unused, float4 values, all big-endian).

Run by compat/run, which starts a vecgres; by hand:
    VECGRES_URL=postgres://me@127.0.0.1:5433/db python3 -m unittest -v test_psycopg.py
"""

import os
import struct
import threading
import unittest

import psycopg
from psycopg import errors, sql
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg.types import TypeInfo

URL = os.environ.get("VECGRES_URL")
if not URL:
    raise SystemExit("VECGRES_URL is not set: it names the server to test")


class Vector:
    """A pgvector vector: a tuple of floats."""

    def __init__(self, values):
        self.values = tuple(float(v) for v in values)

    def __eq__(self, other):
        return isinstance(other, Vector) and self.values == other.values

    def __repr__(self):
        return "Vector(%r)" % (self.values,)


class VectorTextDumper(Dumper):
    format = Format.TEXT

    def dump(self, obj):
        return ("[" + ",".join(repr(v) for v in obj.values) + "]").encode()


class VectorBinaryDumper(Dumper):
    format = Format.BINARY

    def dump(self, obj):
        n = len(obj.values)
        return struct.pack(">HH%df" % n, n, 0, *obj.values)


class VectorTextLoader(Loader):
    format = Format.TEXT

    def load(self, data):
        text = bytes(data).decode()
        if not (text.startswith("[") and text.endswith("]")):
            raise ValueError("not a vector: %r" % text)
        return Vector(float(v) for v in text[1:-1].split(",")) if len(text) > 2 else Vector([])


class VectorBinaryLoader(Loader):
    format = Format.BINARY

    def load(self, data):
        dim, unused = struct.unpack_from(">HH", data)
        if unused != 0:
            raise ValueError("unused field is %d" % unused)
        return Vector(struct.unpack_from(">%df" % dim, data, 4))


def register_vector(conn):
    """Registers the adapter for the vector type, found by name in pg_type."""
    info = TypeInfo.fetch(conn, "vector")
    if info is None:
        raise RuntimeError("vector type not found in the database")
    info.register(conn)
    for dumper in (VectorTextDumper, VectorBinaryDumper):
        conn.adapters.register_dumper(Vector, type("Dumper", (dumper,), {"oid": info.oid}))
    conn.adapters.register_loader(info.oid, VectorTextLoader)
    conn.adapters.register_loader(info.oid, VectorBinaryLoader)
    return info


ITEMS = [("one", Vector([1, 1, 1])), ("two", Vector([2, 2, 2])), ("three", Vector([1, 1, 2]))]


class PsycopgTest(unittest.TestCase):
    def setUp(self):
        self.conn = psycopg.connect(URL, autocommit=True)
        self.addCleanup(self.conn.close)
        self.conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        self.info = register_vector(self.conn)

    def table(self, name, columns):
        self.conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
        self.conn.execute(sql.SQL("CREATE TABLE {} (" + columns + ")").format(sql.Identifier(name)))

    def nearest(self, table, vec, binary=False):
        cur = self.conn.cursor(binary=binary)
        q = sql.SQL("SELECT id, embedding FROM {} ORDER BY embedding <-> %s LIMIT %s").format(sql.Identifier(table))
        return cur.execute(q, (vec, 5)).fetchall()

    def scenario(self, table, binary):
        self.table(table, "id bigserial PRIMARY KEY, name text NOT NULL, embedding vector(3)")
        cur = self.conn.cursor(binary=binary)
        ins = sql.SQL("INSERT INTO {} (name, embedding) VALUES (%s, %b) RETURNING id" if binary
                      else "INSERT INTO {} (name, embedding) VALUES (%s, %t) RETURNING id").format(sql.Identifier(table))
        for i, (name, vec) in enumerate(ITEMS):
            self.assertEqual(cur.execute(ins, (name, vec)).fetchone()[0], i + 1)
        rows = self.nearest(table, Vector([1, 1, 1]), binary)
        self.assertEqual([r[0] for r in rows], [1, 3, 2])
        self.assertEqual(rows[1][1], Vector([1, 1, 2]))

        upd = cur.execute(sql.SQL("UPDATE {} SET embedding = %s WHERE id = %s").format(sql.Identifier(table)),
                          (Vector([9, 9, 9]), 1))
        self.assertEqual(upd.rowcount, 1)
        self.assertEqual([r[0] for r in self.nearest(table, Vector([1, 1, 1]), binary)], [3, 2, 1])
        dele = cur.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(sql.Identifier(table)), (3,))
        self.assertEqual(dele.rowcount, 1)
        self.assertEqual([r[0] for r in self.nearest(table, Vector([1, 1, 1]), binary)], [2, 1])

    def test_scenario_text(self):
        self.scenario("psy_text", binary=False)

    def test_scenario_binary(self):
        self.scenario("psy_binary", binary=True)

    def test_binary_layout(self):
        cur = self.conn.cursor(binary=True)
        cur.execute("SELECT '[1,-2,3.5]'::vector")
        self.assertEqual(cur.fetchone()[0], Vector([1, -2, 3.5]))
        self.assertEqual(cur.pgresult.get_value(0, 0), struct.pack(">HHfff", 3, 0, 1, -2, 3.5))
        cur.execute("SELECT %b::text", (Vector([0.5, 0.25]),))
        self.assertEqual(cur.fetchone()[0], "[0.5,0.25]")

    def test_prepared_and_pipeline(self):
        self.table("psy_pipe", "id int PRIMARY KEY, embedding vector(2)")
        with self.conn.pipeline():
            cur = self.conn.cursor()
            for i in range(20):
                cur.execute("INSERT INTO psy_pipe VALUES (%s, %s)", (i, Vector([i, 0])))
        for i in range(10):
            row = self.conn.execute("SELECT id FROM psy_pipe ORDER BY embedding <-> %s LIMIT 1",
                                    (Vector([i, 0.2]),), prepare=True).fetchone()
            self.assertEqual(row[0], i)
        cur = self.conn.cursor()
        cur.executemany("UPDATE psy_pipe SET embedding = %s WHERE id = %s", [(Vector([0, i]), i) for i in range(5)])
        self.assertEqual(self.conn.execute("SELECT count(*) FROM psy_pipe WHERE (embedding::real[])[1] = 0").fetchone()[0], 5)

    def test_copy(self):
        self.table("psy_copy", "id int PRIMARY KEY, name text, embedding vector(3)")
        cur = self.conn.cursor()
        with cur.copy("COPY psy_copy FROM STDIN") as copy:
            for i in range(100):
                copy.write_row((i, "row\t%d" % i, Vector([i, i, i])))
        with cur.copy("COPY psy_copy (id, embedding) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int4", self.info.oid])
            for i in range(100, 200):
                copy.write_row((i, Vector([i, -i, 0.5])))
        self.assertEqual(self.conn.execute("SELECT count(*) FROM psy_copy").fetchone()[0], 200)

        with cur.copy("COPY (SELECT id, name, embedding FROM psy_copy WHERE id IN (1, 150) ORDER BY id) TO STDOUT") as copy:
            rows = list(copy.rows())
        self.assertEqual(rows, [("1", "row\t1", "[1,1,1]"), ("150", None, "[150,-150,0.5]")])
        with cur.copy("COPY (SELECT id, embedding FROM psy_copy WHERE id = 150) TO STDOUT (FORMAT BINARY)") as copy:
            copy.set_types(["int4", self.info.oid])
            rows = list(copy.rows())
        self.assertEqual(rows, [(150, Vector([150, -150, 0.5]))])

        # A bad row fails the whole COPY, naming its line.
        with self.assertRaises(errors.InvalidTextRepresentation) as ctx:
            with cur.copy("COPY psy_copy (id) FROM STDIN") as copy:
                copy.write(b"1000\n1001\nnot a number\n")
        self.assertEqual(ctx.exception.diag.context, 'COPY psy_copy, line 3, column id: "not a number"')
        self.assertEqual(self.conn.execute("SELECT count(*) FROM psy_copy").fetchone()[0], 200)

    def test_transactions(self):
        self.table("psy_tx", "id int PRIMARY KEY")
        self.conn.autocommit = False
        self.conn.execute("INSERT INTO psy_tx VALUES (1)")
        with self.assertRaises(errors.UniqueViolation):
            self.conn.execute("INSERT INTO psy_tx VALUES (1)")
        self.assertEqual(self.conn.info.transaction_status, psycopg.pq.TransactionStatus.INERROR)
        with self.assertRaises(errors.InFailedSqlTransaction):
            self.conn.execute("SELECT 1")
        self.conn.rollback()
        self.assertEqual(self.conn.execute("SELECT count(*) FROM psy_tx").fetchone()[0], 0)
        self.conn.rollback()
        self.conn.autocommit = True
        with self.conn.transaction():
            self.conn.execute("INSERT INTO psy_tx VALUES (2)")
        with self.assertRaises(errors.DivisionByZero):
            with self.conn.transaction():
                self.conn.execute("INSERT INTO psy_tx VALUES (3)")
                self.conn.execute("SELECT 1/0")
        self.assertEqual(self.conn.execute("SELECT array_agg(id) FROM psy_tx").fetchone()[0], [2])

    def test_cancel(self):
        self.table("psy_ten", "i int")
        self.conn.execute("INSERT INTO psy_ten VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)")
        self.table("psy_big", "i int")
        self.conn.execute("INSERT INTO psy_big SELECT a.i * 10000 + b.i * 1000 + c.i * 100 + d.i * 10 + e.i "
                          "FROM psy_ten a, psy_ten b, psy_ten c, psy_ten d, psy_ten e")
        done = threading.Event()

        def cancel():
            # A cancel that arrives before the query starts does nothing:
            # repeat until the query is over.
            while not done.wait(0.05):
                self.conn.cancel()

        canceller = threading.Thread(target=cancel)
        canceller.start()
        try:
            with self.assertRaises(errors.QueryCanceled):
                self.conn.execute("SELECT count(*) FROM psy_big WHERE length(repeat(i::text, 20000)) < 0")
        finally:
            done.set()
            canceller.join()
        self.assertEqual(self.conn.execute("SELECT 1").fetchone()[0], 1)

    def test_errors(self):
        with self.assertRaises(errors.UndefinedColumn) as ctx:
            self.conn.execute("SELECT nosuch FROM (SELECT 1 AS x) t")
        self.assertEqual(ctx.exception.diag.statement_position, "8")
        with self.assertRaises(errors.DataException) as ctx:
            self.conn.execute("SELECT %s::vector(2)", (Vector([1, 2, 3]),))
        self.assertEqual(ctx.exception.diag.message_primary, "expected 2 dimensions, not 3")


if __name__ == "__main__":
    unittest.main()
