// PostgreSQL's JDBC driver (Debian's libpostgresql-jdbc-java) against the
// server VECGRES_URL names: the scenario through PreparedStatement (which
// the driver turns into named server-side statements after a few
// executions), vectors as PGobject, batches, transactions, COPY through
// CopyManager, metadata, cancellation.
//
// Run by compat/run as a single-file program; by hand:
//   VECGRES_URL=postgres://me@127.0.0.1:5433/db \
//     java -cp /usr/share/java/postgresql.jar VecgresJdbc.java
// It prints "N passed, M failed" and exits 1 on any failure.

import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PGobject;

public class VecgresJdbc {
    interface Check {
        void run(Connection conn) throws Exception;
    }

    static String jdbcUrl;
    static Properties props = new Properties();

    public static void main(String[] args) throws Exception {
        String url = System.getenv("VECGRES_URL");
        if (url == null || url.isEmpty()) {
            throw new IllegalStateException("VECGRES_URL is not set: it names the server to test");
        }
        URI u = new URI(url);
        jdbcUrl = "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath();
        props.setProperty("user", u.getUserInfo() == null ? "jdbc" : u.getUserInfo());
        props.setProperty("sslmode", "disable");
        // Named server-side statements from the second execution on.
        props.setProperty("prepareThreshold", "2");

        int passed = 0, failed = 0;
        Object[][] checks = {
            {"scenario", (Check) VecgresJdbc::scenario},
            {"binary transfer", (Check) VecgresJdbc::binaryTransfer},
            {"batch and transaction", (Check) VecgresJdbc::batchAndTransaction},
            {"copy", (Check) VecgresJdbc::copy},
            {"metadata", (Check) VecgresJdbc::metadata},
            {"cancel", (Check) VecgresJdbc::cancel},
        };
        for (Object[] c : checks) {
            try (Connection conn = DriverManager.getConnection(jdbcUrl, props)) {
                ((Check) c[1]).run(conn);
                System.out.println("ok   " + c[0]);
                passed++;
            } catch (Throwable t) {
                System.out.println("FAIL " + c[0] + ": " + t);
                t.printStackTrace(System.out);
                failed++;
            }
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static void exec(Connection conn, String... sqls) throws SQLException {
        try (Statement st = conn.createStatement()) {
            for (String sql : sqls) {
                st.execute(sql);
            }
        }
    }

    static PGobject vector(String text) throws SQLException {
        PGobject v = new PGobject();
        v.setType("vector");
        v.setValue(text);
        return v;
    }

    static List<Long> nearest(Connection conn, String table, String vec) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT id, embedding FROM " + table + " ORDER BY embedding <-> ? LIMIT ?")) {
            ps.setObject(1, vector(vec));
            ps.setInt(2, 5);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                    check(rs.getObject(2) instanceof PGobject, "vector column read as PGobject");
                }
            }
        }
        return ids;
    }

    static void scenario(Connection conn) throws Exception {
        exec(conn, "CREATE EXTENSION IF NOT EXISTS vector", "DROP TABLE IF EXISTS jdbc_items",
            "CREATE TABLE jdbc_items (id bigserial PRIMARY KEY, name text NOT NULL, embedding vector(3))");
        String[][] items = {{"one", "[1,1,1]"}, {"two", "[2,2,2]"}, {"three", "[1,1,2]"}};
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO jdbc_items (name, embedding) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            long want = 1;
            for (String[] it : items) {
                ps.setString(1, it[0]);
                ps.setObject(2, vector(it[1]));
                check(ps.executeUpdate() == 1, "insert count");
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    check(keys.next() && keys.getLong("id") == want++, "generated key");
                }
            }
        }
        // Several runs: the driver switches to a named statement.
        for (int i = 0; i < 3; i++) {
            check(nearest(conn, "jdbc_items", "[1,1,1]").equals(List.of(1L, 3L, 2L)), "nearest neighbours");
        }
        try (PreparedStatement ps = conn.prepareStatement("UPDATE jdbc_items SET embedding = ? WHERE id = ?")) {
            ps.setObject(1, vector("[9,9,9]"));
            ps.setLong(2, 1);
            check(ps.executeUpdate() == 1, "update count");
        }
        check(nearest(conn, "jdbc_items", "[1,1,1]").equals(List.of(3L, 2L, 1L)), "after update");
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM jdbc_items WHERE id = ?")) {
            ps.setLong(1, 3);
            check(ps.executeUpdate() == 1, "delete count");
        }
        check(nearest(conn, "jdbc_items", "[1,1,1]").equals(List.of(2L, 1L)), "after delete");
        try (PreparedStatement ps = conn.prepareStatement("SELECT embedding::text, embedding <-> ?::vector FROM jdbc_items WHERE id = ?")) {
            ps.setString(1, "[2,2,3]");
            ps.setLong(2, 2);
            try (ResultSet rs = ps.executeQuery()) {
                check(rs.next() && rs.getString(1).equals("[2,2,2]") && rs.getDouble(2) == 1.0, "vector text and distance");
            }
        }
        try {
            exec(conn, "INSERT INTO jdbc_items (id, name) VALUES (2, 'duplicate')");
            check(false, "duplicate key accepted");
        } catch (SQLException e) {
            check("23505".equals(e.getSQLState()), "duplicate key SQLSTATE " + e.getSQLState());
        }
    }

    static void binaryTransfer(Connection conn) throws Exception {
        // binaryTransfer asks for binary results of the types the driver
        // decodes in binary (integers, floats, timestamps, ...).
        Properties p = new Properties();
        p.putAll(props);
        p.setProperty("binaryTransfer", "true");
        p.setProperty("prepareThreshold", "-1");
        try (Connection bin = DriverManager.getConnection(jdbcUrl, p);
             PreparedStatement ps = bin.prepareStatement(
                 "SELECT ?::int8 + 1, ?::float8 * 2, ?::text, now() > ?::timestamptz, ?::numeric, ARRAY[1,2,3]::int4[]")) {
            for (int i = 0; i < 3; i++) {
                ps.setLong(1, 41);
                ps.setDouble(2, 0.25);
                ps.setString(3, "héllo");
                ps.setTimestamp(4, java.sql.Timestamp.valueOf("2000-01-01 00:00:00"));
                ps.setBigDecimal(5, new java.math.BigDecimal("123.4500"));
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next(), "a row");
                    check(rs.getLong(1) == 42, "int8 " + rs.getLong(1));
                    check(rs.getDouble(2) == 0.5, "float8 " + rs.getDouble(2));
                    check(rs.getString(3).equals("héllo"), "text " + rs.getString(3));
                    check(rs.getBoolean(4), "timestamptz comparison");
                    check(rs.getBigDecimal(5).toPlainString().equals("123.4500"), "numeric " + rs.getBigDecimal(5));
                    Integer[] arr = (Integer[]) rs.getArray(6).getArray();
                    check(arr.length == 3 && arr[2] == 3, "int4[]");
                }
            }
        }
    }

    static void batchAndTransaction(Connection conn) throws Exception {
        exec(conn, "DROP TABLE IF EXISTS jdbc_batch", "CREATE TABLE jdbc_batch (id int PRIMARY KEY, embedding vector(2))");
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jdbc_batch VALUES (?, ?)")) {
            for (int i = 0; i < 100; i++) {
                ps.setInt(1, i);
                ps.setObject(2, vector("[" + i + ",0]"));
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            check(counts.length == 100, "batch counts");
        }
        conn.rollback();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM jdbc_batch")) {
            check(rs.next() && rs.getInt(1) == 0, "rolled back batch left rows");
        }
        conn.commit();
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jdbc_batch VALUES (?, ?)")) {
            ps.setInt(1, 1);
            ps.setObject(2, vector("[1,0]"));
            ps.executeUpdate();
        }
        conn.commit();
        try {
            exec(conn, "INSERT INTO jdbc_batch VALUES (1, '[0,0]')");
            check(false, "duplicate accepted");
        } catch (SQLException e) {
            check("23505".equals(e.getSQLState()), "duplicate SQLSTATE");
        }
        try {
            exec(conn, "SELECT 1");
            check(false, "statement accepted in a failed transaction");
        } catch (SQLException e) {
            check("25P02".equals(e.getSQLState()), "failed transaction SQLSTATE " + e.getSQLState());
        }
        conn.rollback();
        conn.setAutoCommit(true);
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM jdbc_batch")) {
            check(rs.next() && rs.getInt(1) == 1, "committed row");
        }
    }

    static void copy(Connection conn) throws Exception {
        exec(conn, "DROP TABLE IF EXISTS jdbc_copy", "CREATE TABLE jdbc_copy (id int PRIMARY KEY, embedding vector(3))");
        CopyManager cm = conn.unwrap(PGConnection.class).getCopyAPI();
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            data.append(i).append('\t').append('[').append(i).append(",1,2]\n");
        }
        long n = cm.copyIn("COPY jdbc_copy FROM STDIN", new StringReader(data.toString()));
        check(n == 500, "copied " + n);
        StringWriter out = new StringWriter();
        cm.copyOut("COPY (SELECT * FROM jdbc_copy WHERE id < 2 ORDER BY id) TO STDOUT WITH (FORMAT csv)", out);
        check(out.toString().equals("0,\"[0,1,2]\"\n1,\"[1,1,2]\"\n"), "copy out: " + out);
        try {
            cm.copyIn("COPY jdbc_copy FROM STDIN", new StringReader("1000\t[1,1,1]\n1001\t[1,1]\n"));
            check(false, "bad copy accepted");
        } catch (SQLException e) {
            check("22000".equals(e.getSQLState()), "bad copy SQLSTATE " + e.getSQLState());
            check(e.getMessage().contains("COPY jdbc_copy, line 2"), "bad copy context: " + e.getMessage());
        }
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM jdbc_copy")) {
            check(rs.next() && rs.getInt(1) == 500, "rows after the failed copy");
        }
    }

    static void metadata(Connection conn) throws Exception {
        exec(conn, "DROP TABLE IF EXISTS jdbc_meta", "CREATE TABLE jdbc_meta (id bigint PRIMARY KEY, embedding vector(3))");
        DatabaseMetaData md = conn.getMetaData();
        check(md.getDatabaseProductName().equals("PostgreSQL"), "product " + md.getDatabaseProductName());
        try (ResultSet rs = md.getTables(null, "public", "jdbc_meta", new String[] {"TABLE"})) {
            check(rs.next() && rs.getString("TABLE_NAME").equals("jdbc_meta"), "getTables");
        }
        // TODO(exec): getColumns numbers columns with row_number() OVER
        // (...), and vecgres has no window functions yet.
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT id, embedding FROM jdbc_meta")) {
            check(rs.getMetaData().getColumnTypeName(2).equals("vector"), "result column type " + rs.getMetaData().getColumnTypeName(2));
        }
    }

    static void cancel(Connection conn) throws Exception {
        exec(conn, "DROP TABLE IF EXISTS jdbc_ten", "CREATE TABLE jdbc_ten (i int)",
            "INSERT INTO jdbc_ten VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)",
            "DROP TABLE IF EXISTS jdbc_big", "CREATE TABLE jdbc_big (i int)",
            "INSERT INTO jdbc_big SELECT a.i * 10000 + b.i * 1000 + c.i * 100 + d.i * 10 + e.i FROM jdbc_ten a, jdbc_ten b, jdbc_ten c, jdbc_ten d, jdbc_ten e");
        try (Statement st = conn.createStatement()) {
            // setQueryTimeout: the driver sends a CancelRequest when it passes.
            st.setQueryTimeout(1);
            st.executeQuery("SELECT count(*) FROM jdbc_big WHERE length(repeat(i::text, 20000)) < 0");
            check(false, "the query was not cancelled");
        } catch (SQLException e) {
            check("57014".equals(e.getSQLState()), "cancel SQLSTATE " + e.getSQLState());
        }
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            check(rs.next() && rs.getInt(1) == 1, "session after the cancellation");
        }
    }
}
