"""SQLAlchemy (Debian's python3-sqlalchemy, over python3-psycopg2) against
the server VECGRES_URL names.

The scenario through SQLAlchemy's ORM with a vector column type of its
own (no Debian package ships pgvector's): create_all (which asks the
catalog whether the table exists), inserts, a nearest-neighbour query
with a bound vector, update, delete, a rolled-back transaction, and
reflection of the table (pg_catalog queries).

Run by compat/run; by hand:
    VECGRES_URL=postgres://me@127.0.0.1:5433/db python3 -m unittest -v test_sqlalchemy.py
"""

import os
import unittest

import sqlalchemy as sa
from sqlalchemy import exc, orm
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.types import UserDefinedType

URL = os.environ.get("VECGRES_URL")
if not URL:
    raise SystemExit("VECGRES_URL is not set: it names the server to test")


class Vector(UserDefinedType):
    """pgvector's vector(n), sent and read in its text form."""

    cache_ok = True

    def __init__(self, dim=None):
        self.dim = dim

    def get_col_spec(self, **kw):
        return "vector" if self.dim is None else "vector(%d)" % self.dim

    def bind_processor(self, dialect):
        def process(value):
            if value is None:
                return None
            return "[" + ",".join(repr(float(v)) for v in value) + "]"

        return process

    def result_processor(self, dialect, coltype):
        def process(value):
            if value is None:
                return None
            return [float(v) for v in value[1:-1].split(",")]

        return process

    class comparator_factory(UserDefinedType.Comparator):
        def l2_distance(self, other):
            return self.op("<->", return_type=sa.Float)(other)


# Reflection maps the type's name back to the class, as pgvector's
# SQLAlchemy support does.
ischema_names["vector"] = Vector

Base = orm.declarative_base()


class Item(Base):
    __tablename__ = "sqla_items"
    id = sa.Column(sa.BigInteger, primary_key=True)
    name = sa.Column(sa.Text, nullable=False)
    embedding = sa.Column(Vector(3))


def sqlalchemy_url(url):
    # postgres://... as SQLAlchemy spells it, over psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    raise ValueError("not a PostgreSQL URL: %s" % url)


class SQLAlchemyTest(unittest.TestCase):
    def setUp(self):
        self.engine = sa.create_engine(sqlalchemy_url(URL), future=True)
        self.addCleanup(self.engine.dispose)
        with self.engine.begin() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
        Base.metadata.drop_all(self.engine)
        Base.metadata.create_all(self.engine)

    def nearest(self, session, vec):
        q = sa.select(Item.id).order_by(Item.embedding.l2_distance(vec)).limit(5)
        return list(session.scalars(q))

    def test_scenario(self):
        with orm.Session(self.engine) as session:
            session.add_all([
                Item(id=1, name="one", embedding=[1, 1, 1]),
                Item(id=2, name="two", embedding=[2, 2, 2]),
                Item(id=3, name="three", embedding=[1, 1, 2]),
            ])
            session.commit()
            self.assertEqual(self.nearest(session, [1, 1, 1]), [1, 3, 2])
            self.assertEqual(session.get(Item, 3).embedding, [1.0, 1.0, 2.0])

            session.get(Item, 1).embedding = [9, 9, 9]
            session.commit()
            self.assertEqual(self.nearest(session, [1, 1, 1]), [3, 2, 1])
            session.delete(session.get(Item, 3))
            session.commit()
            self.assertEqual(self.nearest(session, [1, 1, 1]), [2, 1])

            session.add(Item(id=10, name="rolled back", embedding=[0, 0, 0]))
            session.add(Item(id=1, name="duplicate", embedding=[0, 0, 0]))
            with self.assertRaises(exc.IntegrityError):
                session.commit()
            session.rollback()
            self.assertIsNone(session.get(Item, 10))
            self.assertEqual(session.scalar(sa.select(sa.func.count()).select_from(Item)), 2)

    def test_reflection(self):
        inspector = sa.inspect(self.engine)
        self.assertTrue(inspector.has_table("sqla_items"))
        self.assertIn("sqla_items", inspector.get_table_names())
        columns = {c["name"]: c for c in inspector.get_columns("sqla_items")}
        self.assertEqual(sorted(columns), ["embedding", "id", "name"])
        self.assertFalse(columns["name"]["nullable"])
        self.assertIsInstance(columns["embedding"]["type"], Vector)
        # TODO(catalog): get_pk_constraint needs unnest(int2vector) and
        # generate_subscripts, which vecgres lacks yet.


if __name__ == "__main__":
    unittest.main()
