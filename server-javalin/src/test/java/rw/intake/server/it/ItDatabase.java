package rw.intake.server.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh database for one server process: an H2 file database under {@code target/it-h2/}, a schema of the
 * PostgreSQL server named by {@code INTAKE_TEST_POSTGRES_URL}, or a database of the MariaDB server named by
 * {@code INTAKE_TEST_MARIADB_URL} (the test is skipped when that variable is not set). Dropped on close.
 */
final class ItDatabase implements AutoCloseable {

    /** The kinds, with the commit path each takes for 200,000 records. */
    enum Kind {
        /** Batched inserts into a file database. */
        H2,
        /** COPY into a table of its own, attached as a partition. */
        POSTGRESQL,
        /** Batched inserts. */
        MARIADB
    }

    private final Kind kind;
    private final String url;
    private final String adminUrl;
    private final String drop;

    private ItDatabase(Kind kind, String url, String adminUrl, String drop) {
        this.kind = kind;
        this.url = url;
        this.adminUrl = adminUrl;
        this.drop = drop;
    }

    static ItDatabase fresh(Kind kind) {
        String name = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        switch (kind) {
            case H2 -> {
                Path file = Paths.get("target", "it-h2", name, "intake").toAbsolutePath();
                return new ItDatabase(kind, "jdbc:h2:file:" + file, null, null);
            }
            case POSTGRESQL -> {
                String base = base("INTAKE_TEST_POSTGRES_URL", kind);
                execute(base, "CREATE SCHEMA " + name);
                return new ItDatabase(
                        kind,
                        base + (base.contains("?") ? "&" : "?") + "currentSchema=" + name,
                        base,
                        "DROP SCHEMA " + name + " CASCADE");
            }
            default -> {
                String base = base("INTAKE_TEST_MARIADB_URL", kind);
                execute(base, "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
                int slash = base.indexOf('/', base.indexOf("//") + 2);
                int query = base.indexOf('?', slash);
                String url = base.substring(0, slash + 1) + name + (query < 0 ? "" : base.substring(query));
                return new ItDatabase(kind, url, base, "DROP DATABASE " + name);
            }
        }
    }

    private static String base(String variable, Kind kind) {
        String base = System.getenv(variable);
        assumeTrue(
                base != null && !base.isBlank(),
                variable + " not set: " + kind.name().toLowerCase(Locale.ROOT) + " robustness tests skipped");
        return base;
    }

    Kind kind() {
        return kind;
    }

    String url() {
        return url;
    }

    /** The first column of the first row of a query (not on H2, whose file the server holds). */
    long queryLong(String sql) {
        return queryLong(url, sql);
    }

    static long queryLong(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed", e);
        }
    }

    static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed", e);
        }
    }

    /** PostgreSQL: tables of large uploads that are not partitions of {@code users} (left by a commit that died). */
    static final String STRAY_TABLES = "SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'users\\_u%' AND relkind = 'r'"
            + " AND NOT relispartition AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())";

    @Override
    public void close() {
        if (drop != null) {
            execute(adminUrl, drop);
        }
    }
}
