package rw.intake.storage.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommittedUpload;
import rw.intake.storage.CommittedUser;
import rw.intake.storage.Page;
import rw.intake.storage.StorageException;
import rw.intake.storage.UserQuery;

/**
 * Pages of committed users, ordered by upload then row, and of committed uploads, the last committed first. For users,
 * the upload's seq, or the seqs of the owner's uploads, and on PostgreSQL the partitions to read, are looked up first
 * and bound as values: with them the rows are ranges of the (upload_seq, row_number) key, and the planner prunes
 * {@code users} to the partitions that can hold them. The filters are the templates'
 * {@code <name>} attributes, each a fixed fragment or nothing; every value is a bound parameter.
 */
final class UserListing {

    private static final String COUNT_USERS = """
        SELECT COUNT(*)
        FROM users u<join>
        WHERE 1 = 1<bySeq><byParts><byValid><byOwner>""";
    /** Commit order, then sheet order: the order of the (upload_seq, row_number) key. */
    private static final String SELECT_USERS = """
        SELECT u.id, u.upload_id, u."row_number", u.names, u.nid, u.phone_number, u.gender, u.email, u.valid,
               u.nid_valid, u.phone_valid, u.email_valid, u.names_valid, u.gender_valid, u.errors, u.committed_at
        FROM users u<join>
        WHERE 1 = 1<bySeq><byParts><byValid><byOwner>
        ORDER BY u.upload_seq, u."row_number" LIMIT :limit OFFSET :offset""";

    private static final String BY_SEQ = " AND u.upload_seq = :seq";
    private static final String BY_PARTS = " AND u.part_seq = ANY(:parts)";
    /** Two fixed predicates rather than a parameter: PostgreSQL uses its partial index only for "NOT u.valid". */
    private static final String VALID = " AND u.valid";

    private static final String NOT_VALID = " AND NOT u.valid";
    /**
     * An owner's users, by the seqs of the owner's uploads, looked up first: a range of the (upload_seq, row_number)
     * key for each, read in its order. Joined to {@code uploads} and filtered by owner instead, MariaDB sorted every
     * row of the owner's in a temporary table for each page (2.3 s a page of 700,000 rows, against 0.01 s).
     */
    private static final String BY_OWNER = " AND u.upload_seq IN ";

    private static final String BY_OWNER_POSTGRESQL = " AND u.upload_seq = ANY(:ownerSeqs)";
    /**
     * On H2, joined to {@code uploads} and filtered by owner: H2 (2.5) answered {@code IN} over the seqs with a bound
     * {@code LIMIT} and {@code OFFSET} with rows of the wrong offset (rows twice, others never), where the join is right.
     */
    private static final String JOIN_UPLOADS = " JOIN uploads p ON p.seq = u.upload_seq";

    private static final String BY_OWNER_H2 = " AND p.owner = :owner";
    private static final String OWNER_SEQS = """
        SELECT seq FROM uploads WHERE owner = :owner""";

    private static final String COUNT_COMMITS = """
        SELECT COUNT(*) FROM uploads WHERE 1 = 1<byUploadOwner>""";
    /** The last committed first: the order of {@code seq}, which each commit takes in turn. */
    private static final String SELECT_COMMITS = """
        SELECT id, file_name, sheet, owner, commit_mode, records, committed, skipped, conflicts, committed_at
        FROM uploads WHERE 1 = 1<byUploadOwner>
        ORDER BY seq DESC LIMIT :limit OFFSET :offset""";

    private static final String SELECT_COMMIT = """
        SELECT id, file_name, sheet, owner, commit_mode, records, committed, skipped, conflicts, committed_at
        FROM uploads WHERE id = :id""";

    private static final String BY_UPLOAD_OWNER = " AND owner = :owner";

    private final Jdbi jdbi;
    private final Dialect dialect;

    UserListing(Jdbi jdbi, Dialect dialect) {
        this.jdbi = jdbi;
        this.dialect = dialect;
    }

    /** {@link rw.intake.storage.UserStore#users}. */
    Page<CommittedUser> users(UserQuery query) {
        if (UserWriter.holdsNul(query.uploadId()) || UserWriter.holdsNul(query.owner())) {
            return new Page<>(List.of(), query.page(), query.size(), 0);
        }
        try {
            return jdbi.withHandle(h -> {
                Long seq = null;
                if (query.uploadId() != null) {
                    seq = Uploads.seq(h, query.uploadId()).orElse(null);
                    if (seq == null) {
                        return new Page<CommittedUser>(List.of(), query.page(), query.size(), 0);
                    }
                }
                List<Long> ownerSeqs = null;
                if (query.owner() != null) {
                    ownerSeqs = h.createQuery(OWNER_SEQS)
                            .bind("owner", query.owner())
                            .mapTo(Long.class)
                            .list();
                    if (seq != null ? !ownerSeqs.contains(seq) : ownerSeqs.isEmpty()) {
                        return new Page<CommittedUser>(List.of(), query.page(), query.size(), 0);
                    }
                    if (seq != null) {
                        ownerSeqs = null; // the upload is the owner's: its seq alone selects its users
                    }
                }
                List<Long> parts = null;
                if (dialect == Dialect.POSTGRESQL) {
                    if (seq != null) {
                        parts = List.of(0L, seq);
                    } else if (ownerSeqs != null) {
                        parts = new ArrayList<>(List.of(0L));
                        parts.addAll(ownerSeqs);
                    }
                }
                long total = filtered(h, COUNT_USERS, query, seq, ownerSeqs, parts)
                        .mapTo(Long.class)
                        .one();
                List<CommittedUser> items = filtered(h, SELECT_USERS, query, seq, ownerSeqs, parts)
                        .bind("limit", query.size())
                        .bind("offset", (long) (query.page() - 1) * query.size())
                        .map((rs, ctx) -> user(rs))
                        .list();
                return new Page<>(items, query.page(), query.size(), total);
            });
        } catch (JdbiException e) {
            throw new StorageException("reading committed users failed: " + e.getMessage(), e);
        }
    }

    /** {@link rw.intake.storage.UserStore#commits}. */
    Page<CommittedUpload> commits(int page, int size, String owner) {
        if (page < 1 || size < 1 || size > 500) {
            throw new IllegalArgumentException("page must be >= 1 and size from 1 to 500");
        }
        try {
            return jdbi.withHandle(h -> {
                long total = byOwner(h.createQuery(COUNT_COMMITS), owner)
                        .mapTo(Long.class)
                        .one();
                List<CommittedUpload> items = byOwner(h.createQuery(SELECT_COMMITS), owner)
                        .bind("limit", size)
                        .bind("offset", (long) (page - 1) * size)
                        .map(UserListing::committedUpload)
                        .list();
                return new Page<>(items, page, size, total);
            });
        } catch (JdbiException e) {
            throw new StorageException("reading committed uploads failed: " + e.getMessage(), e);
        }
    }

    private static CommittedUpload committedUpload(ResultSet rs, StatementContext ctx) throws SQLException {
        return new CommittedUpload(
                rs.getString("id"),
                rs.getString("file_name"),
                rs.getString("owner"),
                CommitMode.valueOf(rs.getString("commit_mode").toUpperCase(Locale.ROOT)),
                rs.getLong("records"),
                rs.getLong("committed"),
                rs.getLong("skipped"),
                rs.getLong("conflicts"),
                rs.getTimestamp("committed_at").toInstant(),
                rs.getString("sheet"));
    }

    /** {@link rw.intake.storage.UserStore#commitOf}. */
    Optional<CommittedUpload> commitOf(String uploadId) {
        if (UserWriter.holdsNul(uploadId)) {
            return Optional.empty();
        }
        try {
            return jdbi.withHandle(h -> h.createQuery(SELECT_COMMIT)
                    .bind("id", uploadId)
                    .map(UserListing::committedUpload)
                    .findOne());
        } catch (JdbiException e) {
            throw new StorageException("reading upload " + uploadId + " failed: " + e.getMessage(), e);
        }
    }

    private static Query byOwner(Query q, String owner) {
        q.define("byUploadOwner", owner == null ? "" : BY_UPLOAD_OWNER);
        return owner == null ? q : q.bind("owner", owner);
    }

    /** {@link rw.intake.storage.UserStore#isCommitted}. */
    boolean isCommitted(String uploadId) {
        if (UserWriter.holdsNul(uploadId)) {
            return false;
        }
        try {
            return jdbi.withHandle(h -> Uploads.exists(h, uploadId));
        } catch (JdbiException e) {
            throw new StorageException("reading upload " + uploadId + " failed: " + e.getMessage(), e);
        }
    }

    /** The query {@code sql} with the filters of {@code query} defined and their values bound. */
    private Query filtered(Handle h, String sql, UserQuery query, Long seq, List<Long> ownerSeqs, List<Long> parts) {
        boolean h2 = ownerSeqs != null && dialect == Dialect.H2;
        Query q = h.createQuery(sql)
                .define("join", h2 ? JOIN_UPLOADS : "")
                .define("bySeq", seq == null ? "" : BY_SEQ)
                .define("byParts", parts == null ? "" : BY_PARTS)
                .define("byValid", query.valid() == null ? "" : query.valid() ? VALID : NOT_VALID)
                .define("byOwner", ownerSeqs == null ? "" : byOwner(ownerSeqs));
        if (seq != null) {
            q.bind("seq", seq.longValue());
        }
        if (parts != null) {
            q.bindArray("parts", Long.class, parts);
        }
        if (ownerSeqs != null) {
            if (h2) {
                q.bind("owner", query.owner());
            } else if (dialect == Dialect.POSTGRESQL) {
                q.bindArray("ownerSeqs", Long.class, ownerSeqs);
            } else {
                for (int i = 0; i < ownerSeqs.size(); i++) {
                    q.bind("ownerSeq" + i, ownerSeqs.get(i).longValue());
                }
            }
        }
        return q;
    }

    private String byOwner(List<Long> ownerSeqs) {
        return switch (dialect) {
            case H2 -> BY_OWNER_H2;
            case POSTGRESQL -> BY_OWNER_POSTGRESQL;
            case MARIADB -> BY_OWNER + seqList(ownerSeqs);
        };
    }

    /** {@code (:ownerSeq0, :ownerSeq1, ...)}: a parameter for each of {@code seqs}, bound by {@link #filtered}. */
    private static String seqList(List<Long> seqs) {
        StringBuilder list = new StringBuilder("(");
        for (int i = 0; i < seqs.size(); i++) {
            list.append(i == 0 ? ":ownerSeq" : ", :ownerSeq").append(i);
        }
        return list.append(')').toString();
    }

    private static CommittedUser user(ResultSet rs) throws SQLException {
        return new CommittedUser(
                rs.getLong("id"),
                rs.getString("upload_id"),
                rs.getInt("row_number"),
                rs.getString("names"),
                rs.getString("nid"),
                rs.getString("phone_number"),
                rs.getString("gender"),
                rs.getString("email"),
                rs.getBoolean("valid"),
                rs.getBoolean("nid_valid"),
                rs.getBoolean("phone_valid"),
                rs.getBoolean("email_valid"),
                rs.getBoolean("names_valid"),
                rs.getBoolean("gender_valid"),
                ViolationsJson.read(rs.getString("errors")),
                rs.getTimestamp("committed_at").toInstant());
    }
}
