package rw.intake.storage;

/** The databases the tests run against: H2 in memory, the others on the server their URL names, else embedded. */
public enum DatabaseKind {
    /** H2 in memory, always. */
    H2(null),
    /** PostgreSQL with COPY, on {@code INTAKE_TEST_POSTGRES_URL} when set. */
    POSTGRESQL("INTAKE_TEST_POSTGRES_URL"),
    /** PostgreSQL with batched inserts instead of COPY. */
    POSTGRESQL_BATCH("INTAKE_TEST_POSTGRES_URL"),
    /** PostgreSQL with COPY, every commit (not only large ones) into a partition of its own. */
    POSTGRESQL_PARTITIONS("INTAKE_TEST_POSTGRES_URL"),
    /** MariaDB, on {@code INTAKE_TEST_MARIADB_URL} when set. */
    MARIADB("INTAKE_TEST_MARIADB_URL");

    /**
     * The names of the kinds that differ from another only in how a commit writes its rows ({@code POSTGRESQL_BATCH},
     * {@code POSTGRESQL_PARTITIONS}), for {@code @EnumSource(mode = MATCH_NONE, names = ...)} in the tests of what
     * commits do not touch, such as accounts.
     */
    public static final String COMMIT_VARIANTS = "POSTGRESQL_.+";

    private final String urlVariable;

    DatabaseKind(String urlVariable) {
        this.urlVariable = urlVariable;
    }

    /** The storage's dialect for this kind: {@code h2}, {@code postgresql} or {@code mariadb}. */
    public String dialect() {
        return name().startsWith("POSTGRESQL") ? "postgresql" : name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The environment variable holding the server's URL, or null for H2. */
    public String urlVariable() {
        return urlVariable;
    }
}
