package rw.intake.storage.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommitRequest;
import rw.intake.storage.CommitResult;
import rw.intake.storage.DatabaseKind;
import rw.intake.storage.Storage;
import rw.intake.storage.TestDatabase;
import rw.intake.storage.UploadIds;
import rw.intake.storage.UploadTotals;
import rw.intake.storage.internal.Prefilters;
import rw.intake.validation.Field;
import rw.intake.validation.Normalized;
import rw.intake.validation.RawRecord;
import rw.intake.validation.Severity;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * JMH: {@code UserStore.commit} of {@code records} generated records (9 in 10 valid, in memory before the clock
 * starts, NIDs in no order and distinct from every earlier commit's) into a fresh database of the {@code kind} ({@link
 * DatabaseKind} names; H2 is a file database under target/bench-h2); one commit per iteration, seconds each. With
 * {@code -Dintake.test.partitionFrom=N} in the forked JVM ({@code -jvmArgsAppend}) every PostgreSQL kind goes into a
 * partition of its own from N records (0: one COPY into {@code users} always). Also {@code registeredAmong} and a new
 * store's {@code filterLoad} against one commit of {@code records} records. The commit's phases are JFR events
 * ({@code rw.intake.storage.CommitPhase}): {@code -jvmArgsAppend -XX:StartFlightRecording=filename=commit.jfr}.
 * Commands: docs/performance.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class StorageBench {

    private static final String H2_DIRECTORY =
            java.nio.file.Path.of("target", "bench-h2").toAbsolutePath().toString();

    @Param({"h2", "postgresql"})
    public String kind;

    @Param({"50000"})
    public int records;

    /** Records per batch and NIDs per look-up. */
    @Param({"5000"})
    public int chunk;

    private TestDatabase db;
    /** The set of the next commit's NIDs: each commit of a trial has NIDs of its own (at most 100 commits). */
    private int set;

    private List<ValidatedRecord> batch;

    @Setup(Level.Trial)
    public void open() {
        db = TestDatabase.fresh(DatabaseKind.valueOf(kind.toUpperCase(Locale.ROOT)), H2_DIRECTORY, chunk);
    }

    @Setup(Level.Iteration)
    public void generate() {
        batch = generate(records, set++);
    }

    @TearDown(Level.Trial)
    public void close() {
        db.close();
    }

    @Benchmark
    public CommitResult commit() {
        CommitResult result = db.storage().users().commit(request(UploadIds.next(), batch), batch);
        if (result.committed() != batch.size()) {
            throw new IllegalStateException("committed " + result.committed() + " of " + batch.size());
        }
        return result;
    }

    /**
     * {@code UserStore.registeredAmong} of 1,000 NIDs of which 10 are registered (as the validator asks, chunk by
     * chunk), against the {@code records} that a commit made before the trial registered; microseconds per call.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public int registeredAmong(Registered r) {
        List<String> nids = r.asks.get(r.next++ % r.asks.size());
        return r.db.storage().users().registeredAmong(nids).size();
    }

    /**
     * {@code UserStore.registeredAmong} of 1,000 NIDs that are all registered (a list sent again, whose NIDs the filter
     * all lets through to the database), in the order of the records that registered them; microseconds per call.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public int registeredAmongAgain(Registered r) {
        List<String> nids = r.again.get(r.next++ % r.again.size());
        return r.db.storage().users().registeredAmong(nids).size();
    }

    /**
     * The load of a new store's registered-NID filter (a second server instance starting) over the {@code records}
     * that a commit made before the trial registered: from opening the store to the filter loaded.
     */
    @Benchmark
    public boolean filterLoad(Registered r) throws InterruptedException {
        try (Storage another = r.db.openAnother()) {
            if (!Prefilters.await(another)) {
                throw new IllegalStateException("the registered-NID filter did not load");
            }
            return true;
        }
    }

    /** A fresh database of the benchmark's kind holding one commit of {@code records} records. */
    @State(Scope.Benchmark)
    public static class Registered {
        TestDatabase db;
        final List<List<String>> asks = new ArrayList<>();
        final List<List<String>> again = new ArrayList<>();
        int next;

        @Setup(Level.Trial)
        public void commit(StorageBench bench) {
            db = TestDatabase.fresh(
                    DatabaseKind.valueOf(bench.kind.toUpperCase(Locale.ROOT)), H2_DIRECTORY, bench.chunk);
            List<ValidatedRecord> committed = generate(bench.records, 0);
            db.storage().users().commit(request(UploadIds.next(), committed), committed);
            for (int c = 0; c < 100; c++) {
                List<String> nids = new ArrayList<>(1000);
                for (int i = 0; i < 990; i++) {
                    nids.add(String.format(Locale.ROOT, "2%04d7%07d%d%02d", 1950 + i % 50, c * 1000 + i, 0, i % 100));
                }
                for (int i = 0; i < 10; i++) {
                    nids.add(committed
                            .get((c * 10 + i) * 9 % committed.size())
                            .normalized()
                            .nid());
                }
                asks.add(nids);
            }
            List<String> registered = committed.stream()
                    .filter(ValidatedRecord::valid)
                    .map(r -> r.normalized().nid())
                    .toList();
            for (int from = 0; from + 1000 <= registered.size(); from += 1000) {
                again.add(registered.subList(from, from + 1000));
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            db.close();
        }
    }

    private static CommitRequest request(String id, List<ValidatedRecord> records) {
        long valid = records.stream().filter(ValidatedRecord::valid).count();
        return new CommitRequest(
                id,
                "bench",
                id + ".xlsx",
                CommitMode.ALL,
                new UploadTotals(records.size(), valid, records.size() - valid, 0, 0));
    }

    /**
     * {@code count} records with distinct NIDs in no order, as in a real sheet (one registered NID after another lands
     * anywhere in the NID index); the last two digits are {@code set}, so two sets never share a NID. Every tenth
     * record has a bad phone number.
     */
    static List<ValidatedRecord> generate(int count, int set) {
        if (set > 99) {
            throw new IllegalStateException("at most 100 commits per trial");
        }
        List<ValidatedRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long mixed = (i + 1L) * 0x9E3779B97F4A7C15L;
            int year = 1950 + (int) ((mixed >>> 40) % 58);
            long serial = i * 7919L % 10_000_000L;
            String nid = String.format(Locale.ROOT, "1%04d8%07d0%02d", year, serial, set);
            String phone = String.format(Locale.ROOT, "+25078%07d", i % 10_000_000);
            String names = "Person " + i + " Uwase";
            String email = "person" + i + "@example.rw";
            RawRecord raw = RawRecord.of(i + 2, names, nid, phone, "M", email);
            if (i % 10 == 9) {
                records.add(ValidatedRecord.of(
                        raw,
                        new Normalized(names, nid, null, "M", email),
                        List.of(Violation.of(
                                Field.PHONE_NUMBER, "phone.invalid", Severity.ERROR, "Not a Rwandan mobile number"))));
            } else {
                records.add(ValidatedRecord.of(raw, new Normalized(names, nid, phone, "M", email), List.of()));
            }
        }
        return records;
    }
}
