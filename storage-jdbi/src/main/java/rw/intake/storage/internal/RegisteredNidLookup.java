package rw.intake.storage.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import rw.intake.storage.StorageException;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.RegisteredNids;
import rw.intake.validation.ValidatedRecord;

/**
 * Which NIDs are registered (held by a valid committed record): the database asked about the NIDs that the
 * {@link NidPrefilter} cannot rule out. On PostgreSQL and H2 one statement for up to {@link #ARRAY_MOST} NIDs, by the
 * key of {@code registered_nids}; on MariaDB, which has no arrays, {@code IN} lists of at most {@link #IN_LIST} NIDs.
 */
final class RegisteredNidLookup {

    /** Bound parameters per NID look-up at most (MariaDB, which has no arrays: an IN list). */
    static final int IN_LIST = 1000;
    /**
     * NIDs in one look-up's array at most: H2 refuses an array of more elements ("Value too long"), which a bulk edit
     * of a large upload would ask about; more go in several statements.
     */
    static final int ARRAY_MOST = 65_536;

    private static final String REGISTERED = """
        SELECT registered_nid FROM users WHERE registered_nid IN (<nids>)""";
    /**
     * One statement for any number of NIDs, one plan, one round trip, by the key (PostgreSQL, where the registered
     * NIDs have a table of their own, as numbers). The NIDs found come back as one array in one row: a list sent
     * again finds nearly every NID it asks about, and a row each cost both sides more than the probes' own work.
     */
    private static final String REGISTERED_NIDS_ANY = """
        SELECT array_agg(nid) FROM registered_nids WHERE nid = ANY(?)""";
    /**
     * The same for H2, as a join of the array's elements with the key. H2 finds the rows of {@code nid = ANY(?)} by the
     * key, then tests each row found against the array by searching it from its start, which costs the square of the
     * NIDs asked about when most of them are registered (a list sent again); the join looks each element up once.
     */
    private static final String REGISTERED_NIDS_JOIN = """
        SELECT r.nid FROM UNNEST(?) AS asked(nid) JOIN registered_nids r ON r.nid = asked.nid""";

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final NidPrefilter prefilter;
    private final int chunkSize;

    /** {@code chunkSize}: NIDs per statement when a commit looks up its records. */
    RegisteredNidLookup(Jdbi jdbi, Dialect dialect, NidPrefilter prefilter, int chunkSize) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.prefilter = prefilter;
        this.chunkSize = chunkSize;
    }

    /** {@link rw.intake.storage.UserStore#registeredAmong}: the filter caught up with other writers first. */
    Set<String> registeredAmong(Collection<String> nids) {
        if (nids.isEmpty()) {
            return Set.of();
        }
        return asking(h -> {
            NidPrefilter.Snapshot filter = prefilter.caughtUp(h, null);
            Collection<String> ask = filter == null ? nids : filter.candidates(nids);
            return ask.isEmpty() ? Set.<String>of() : registeredAmong(h, ask);
        });
    }

    /**
     * {@link RegisteredNids#forOnePass}: the filter caught up with other writers at the first call that finds it loaded,
     * then as this process's commits keep it; the database is asked only about the NIDs it lets through (a call whose
     * NIDs it all rules out takes no connection).
     */
    RegisteredNids forOnePass() {
        return new RegisteredNids() {
            private volatile boolean caughtUp;

            @Override
            public Set<String> registeredAmong(Collection<String> nids) {
                NidPrefilter.Snapshot current = caughtUp ? prefilter.current() : null;
                if (current == null) {
                    Set<String> found = RegisteredNidLookup.this.registeredAmong(nids);
                    caughtUp = prefilter.ready();
                    return found;
                }
                List<String> ask = current.candidates(nids);
                return ask.isEmpty() ? Set.of() : asking(h -> RegisteredNidLookup.this.registeredAmong(h, ask));
            }
        };
    }

    /**
     * {@link rw.intake.storage.UserStore#registeredRecords}: {@link #registeredRecords(Handle, Iterable,
     * NidPrefilter.Snapshot)} on a handle of its own, the filter caught up with other writers first, as a commit does.
     */
    BitSet registeredRecords(Iterable<ValidatedRecord> records) {
        return asking(h -> registeredRecords(h, records, prefilter.caughtUp(h, null)));
    }

    /** The answer of {@code lookUp} on a handle of its own; a failure as a {@link StorageException}. */
    private <T> T asking(HandleCallback<T, SQLException> lookUp) {
        try {
            return jdbi.withHandle(lookUp);
        } catch (JdbiException | SQLException e) {
            throw new StorageException("look-up of registered NIDs failed: " + e.getMessage(), e);
        }
    }

    /**
     * Which records (by position) have a NID registered already: every NID a valid record could have
     * ({@link BatchValidator#registrableNid}: well formed, or faulted only as a duplicate or by the gender), valid or
     * not, as validation looks them up, so that a NID another commit registered since validation marks those records
     * as a fresh upload of the list would. Asks the database on {@code h}, a chunk of NIDs at a time, about the NIDs
     * that {@code filter} (none if null) cannot rule out.
     */
    BitSet registeredRecords(Handle h, Iterable<ValidatedRecord> records, NidPrefilter.Snapshot filter)
            throws SQLException {
        BitSet registered = new BitSet();
        List<String> ask = new ArrayList<>();
        int[] positions = new int[chunkSize];
        int index = 0;
        for (ValidatedRecord r : records) {
            String nid = BatchValidator.registrableNid(r);
            if (nid != null && (filter == null || filter.mightContain(NidBloom.key(nid)))) {
                positions[ask.size()] = index;
                ask.add(nid);
                if (ask.size() == chunkSize) {
                    markRegistered(h, ask, positions, registered);
                }
            }
            index++;
        }
        markRegistered(h, ask, positions, registered);
        return registered;
    }

    /** Asks about {@code ask} (the NIDs of the records at {@code positions}), marks the registered ones, clears ask. */
    private void markRegistered(Handle h, List<String> ask, int[] positions, BitSet registered) throws SQLException {
        if (!ask.isEmpty()) {
            Set<String> found = registeredAmong(h, ask);
            for (int i = 0; i < ask.size(); i++) {
                if (found.contains(ask.get(i))) {
                    registered.set(positions[i]);
                }
            }
        }
        ask.clear();
    }

    /** Which of the NIDs are registered, asking the database about each of them on {@code h}. */
    private Set<String> registeredAmong(Handle h, Collection<String> nids) throws SQLException {
        if (dialect == Dialect.H2) {
            return registeredNumbers(h.getConnection(), REGISTERED_NIDS_JOIN, false, nids);
        }
        if (dialect == Dialect.POSTGRESQL) {
            return registeredNumbers(h.getConnection(), REGISTERED_NIDS_ANY, true, nids);
        }
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(nids));
        Set<String> registered = new HashSet<>();
        for (int from = 0; from < distinct.size(); from += IN_LIST) {
            List<String> part = distinct.subList(from, Math.min(distinct.size(), from + IN_LIST));
            h.createQuery(REGISTERED).bindList("nids", part).mapTo(String.class).forEach(registered::add);
        }
        return registered;
    }

    /**
     * Which of the NIDs {@code registered_nids} holds (PostgreSQL and H2), by {@code sql}: asked as their numbers,
     * sorted and distinct (H2 then walks its key from left to right), answered as a {@link NumberSet}. The numbers go
     * as a {@code Long[]}, which the PostgreSQL driver sends in binary (an {@code Object[]} it sends as text, which both
     * sides then format and parse); {@code sql} answers rows of one number each, or ({@code oneArray}) one row holding
     * them all as an array, NULL when none is registered.
     */
    private static Set<String> registeredNumbers(Connection c, String sql, boolean oneArray, Collection<String> nids)
            throws SQLException {
        long[] asked = new long[nids.size()];
        int count = 0;
        for (String nid : nids) {
            // Only a NID of 16 digits not starting with 0 can be in registered_nids (it is a valid one), and its
            // number written out is the NID again.
            long number = NidBloom.number(nid);
            if (number >= NumberSet.SMALLEST) {
                asked[count++] = number;
            }
        }
        if (count == 0) {
            return Set.of();
        }
        Arrays.sort(asked, 0, count);
        int distinct = 0;
        Long[] numbers = new Long[count];
        for (int i = 0; i < count; i++) {
            if (i == 0 || asked[i] != asked[i - 1]) {
                numbers[distinct++] = asked[i];
            }
        }
        if (distinct <= ARRAY_MOST) {
            return registeredNumbers(c, sql, oneArray, distinct == count ? numbers : Arrays.copyOf(numbers, distinct));
        }
        // slices of ascending numbers: their answers, one after the other, are sorted too
        long[] found = new long[0];
        int size = 0;
        for (int from = 0; from < distinct; from += ARRAY_MOST) {
            NumberSet part = registeredNumbers(
                    c, sql, oneArray, Arrays.copyOfRange(numbers, from, Math.min(distinct, from + ARRAY_MOST)));
            found = Arrays.copyOf(found, size + part.size);
            System.arraycopy(part.numbers, 0, found, size, part.size);
            size += part.size;
        }
        return new NumberSet(found, size);
    }

    /** Which of {@code numbers} (sorted, distinct, at most {@link #ARRAY_MOST}) are registered, by {@code sql}. */
    private static NumberSet registeredNumbers(Connection c, String sql, boolean oneArray, Long[] numbers)
            throws SQLException {
        Array array = c.createArrayOf("bigint", numbers);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                return oneArray ? foundInOneArray(rs) : foundInRows(rs, numbers.length);
            }
        } finally {
            array.free();
        }
    }

    /** The numbers of a look-up's one row holding them as an array (NULL for none). */
    private static NumberSet foundInOneArray(ResultSet rs) throws SQLException {
        Array answer = rs.next() ? rs.getArray(1) : null;
        if (answer == null) {
            return new NumberSet(new long[0], 0);
        }
        try {
            Object[] numbers = (Object[]) answer.getArray();
            long[] found = new long[numbers.length];
            for (int i = 0; i < numbers.length; i++) {
                found[i] = ((Number) numbers[i]).longValue();
            }
            Arrays.sort(found);
            return new NumberSet(found, found.length);
        } finally {
            answer.free();
        }
    }

    /** The numbers of a look-up's rows, one number each, of at most {@code asked}. */
    private static NumberSet foundInRows(ResultSet rs, int asked) throws SQLException {
        long[] found = new long[Math.min(asked, 64)];
        int count = 0;
        while (rs.next()) {
            if (count == found.length) {
                found = Arrays.copyOf(found, count * 2);
            }
            found[count++] = rs.getLong(1);
        }
        Arrays.sort(found, 0, count);
        return new NumberSet(found, count);
    }

    /**
     * Registered NIDs held as their sorted numbers: a NID of 16 digits not starting with 0, whose number written out
     * is the NID again. A look-up's answer, without a string or a hash entry for each NID found (a list sent again
     * finds nearly all of them).
     */
    static final class NumberSet extends AbstractSet<String> {
        /** The smallest number of 16 digits. */
        static final long SMALLEST = 1_000_000_000_000_000L;

        private final long[] numbers;
        private final int size;

        /** {@code numbers[0..size)}: sorted, distinct, each at least {@link #SMALLEST}. */
        NumberSet(long[] numbers, int size) {
            this.numbers = numbers;
            this.size = size;
        }

        @Override
        public boolean contains(Object o) {
            if (!(o instanceof String nid)) {
                return false;
            }
            long number = NidBloom.number(nid);
            return number >= SMALLEST && Arrays.binarySearch(numbers, 0, size, number) >= 0;
        }

        @Override
        public Iterator<String> iterator() {
            return new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < size;
                }

                @Override
                public String next() {
                    if (next == size) {
                        throw new NoSuchElementException();
                    }
                    return Long.toString(numbers[next++]);
                }
            };
        }

        @Override
        public int size() {
            return size;
        }
    }
}
