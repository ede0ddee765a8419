package rw.intake.storage.bench;

import ch.qos.logback.classic.Level;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import rw.intake.storage.CommitMode;
import rw.intake.storage.CommitRequest;
import rw.intake.storage.CommitResult;
import rw.intake.storage.DatabaseKind;
import rw.intake.storage.Storage;
import rw.intake.storage.TestDatabase;
import rw.intake.storage.UploadIds;
import rw.intake.storage.UploadTotals;
import rw.intake.storage.UserStore;
import rw.intake.storage.internal.Prefilters;
import rw.intake.validation.Field;
import rw.intake.validation.Normalized;
import rw.intake.validation.RawRecord;
import rw.intake.validation.Severity;
import rw.intake.validation.ValidatedRecord;
import rw.intake.validation.Violation;

/**
 * Times {@code UserStore.commit} of generated records (9 in 10 valid, as staged in memory) into a fresh database:
 * <pre>
 * INTAKE_TEST_POSTGRES_URL=... INTAKE_TEST_MARIADB_URL=... \
 * mvn -B -o -q -pl storage-jdbi test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=rw.intake.storage.bench.StorageBench -Dexec.args="h2,postgresql,postgresql_batch 50000 1000"
 * </pre>
 * Arguments: kinds (comma-separated {@link DatabaseKind} names; H2 is a file database under target/bench-h2), the
 * record count, the chunk size (records per batch, NIDs per look-up), runs, and how many timed {@code registeredAmong} calls of
 * 1,000 NIDs to make after the commit (0 by default). Each kind gets a warm-up commit of 20,000 records first.
 */
public final class StorageBench {

    private static final String H2_DIRECTORY =
            java.nio.file.Path.of("target", "bench-h2").toAbsolutePath().toString();

    private StorageBench() {}

    public static void main(String[] args) throws InterruptedException {
        // The store logs where each commit's time went (uploads row, look-ups, write, register, commit) at DEBUG.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("rw.intake.storage.internal.CommitPhase"))
                .setLevel(Level.DEBUG);
        // The registered-NID filter logs its loads (NIDs, time, planned capacity, bytes) at INFO.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("rw.intake.storage.internal.NidPrefilter"))
                .setLevel(Level.INFO);
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        int chunk = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int lookups = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        List<ValidatedRecord> warmUp = generate(20_000, 1);
        List<ValidatedRecord> records = generate(count, 0);
        for (int run = 0; run < runs; run++) {
            for (String name : (args.length > 0 ? args[0] : "h2").split(",")) {
                run(DatabaseKind.valueOf(name.trim().toUpperCase(Locale.ROOT)), chunk, warmUp, records, lookups);
            }
        }
    }

    private static void run(
            DatabaseKind kind, int chunk, List<ValidatedRecord> warmUp, List<ValidatedRecord> records, int lookups)
            throws InterruptedException {
        int count = records.size();
        try (TestDatabase db = TestDatabase.fresh(kind, H2_DIRECTORY, chunk)) {
            db.storage().users().commit(request(UploadIds.next(), warmUp), warmUp);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu = threads.getCurrentThreadCpuTime();
            long processCpu = os.getProcessCpuTime();
            long serverTicks = postgresTicks();
            long start = System.nanoTime();
            CommitResult result = db.storage().users().commit(request(UploadIds.next(), records), records);
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
            double processCpuSeconds = (os.getProcessCpuTime() - processCpu) / 1e9;
            double serverCpuSeconds = (postgresTicks() - serverTicks) / 100.0;
            System.out.printf(
                    Locale.ROOT,
                    "%-16s %,9d records  chunk %5d  %6.3f s  %,10.0f rows/s  (CPU: committing thread %6.3f s, JVM %6.3f s%s; committed %d)%n",
                    kind,
                    count,
                    chunk,
                    seconds,
                    count / seconds,
                    cpuSeconds,
                    processCpuSeconds,
                    postgres(kind) && serverTicks >= 0
                            ? String.format(Locale.ROOT, ", local postgres processes %6.2f s", serverCpuSeconds)
                            : "",
                    result.committed());
            if (lookups > 0) {
                lookUps(kind, db.storage().users(), records, lookups);
                long open = System.nanoTime();
                try (Storage another = db.openAnother()) {
                    boolean loaded = Prefilters.await(another);
                    System.out.printf(
                            Locale.ROOT,
                            "%-16s registered-NID filter of a second store %s %.2f s after open%n",
                            kind,
                            loaded ? "loaded" : "FAILED",
                            (System.nanoTime() - open) / 1e9);
                }
            }
        }
    }

    /**
     * Times {@code registeredAmong} of 1,000 NIDs of which 10 are registered (as the validator asks, chunk by chunk),
     * {@code calls} times after as many warm-up calls: wall-clock and the calling thread's CPU per call.
     */
    private static void lookUps(DatabaseKind kind, UserStore users, List<ValidatedRecord> records, int calls) {
        List<List<String>> asks = new ArrayList<>();
        for (int c = 0; c < 2 * calls; c++) {
            List<String> nids = new ArrayList<>(1000);
            for (int i = 0; i < 990; i++) {
                nids.add(String.format(Locale.ROOT, "2%04d7%07d%d%02d", 1950 + i % 50, c * 1000 + i, 0, i % 100));
            }
            for (int i = 0; i < 10; i++) {
                nids.add(records.get((c * 10 + i) * 9 % records.size())
                        .normalized()
                        .nid());
            }
            asks.add(nids);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long found = 0;
        long cpu = 0;
        long start = 0;
        for (int c = 0; c < 2 * calls; c++) {
            if (c == calls) {
                cpu = threads.getCurrentThreadCpuTime();
                start = System.nanoTime();
                found = 0;
            }
            found += users.registeredAmong(asks.get(c)).size();
        }
        double wall = (System.nanoTime() - start) / 1e3 / calls;
        double cpuPerCall = (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / calls;
        System.out.printf(
                Locale.ROOT,
                "%-16s registeredAmong(1,000 NIDs, 10 registered) among %,d rows: %,9.1f us per call"
                        + " (calling thread CPU %,9.1f us), %d found%n",
                kind,
                records.size(),
                wall,
                cpuPerCall,
                found);
    }

    private static boolean postgres(DatabaseKind kind) {
        return kind.dialect().equals("postgresql");
    }

    /**
     * CPU time (user + system, in clock ticks of 1/100 s) of every local process named postgres, or -1 where /proc
     * cannot tell: the server's share of a commit when PostgreSQL runs on this machine (other clients count too).
     */
    private static long postgresTicks() {
        java.io.File[] processes =
                new java.io.File("/proc").listFiles((dir, name) -> name.chars().allMatch(Character::isDigit));
        if (processes == null) {
            return -1;
        }
        long ticks = 0;
        for (java.io.File process : processes) {
            try {
                String stat = java.nio.file.Files.readString(process.toPath().resolve("stat"));
                int close = stat.lastIndexOf(')');
                if (!stat.substring(stat.indexOf('(') + 1, close).equals("postgres")) {
                    continue;
                }
                String[] fields = stat.substring(close + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            } catch (java.io.IOException | RuntimeException e) {
                // The process ended meanwhile.
            }
        }
        return ticks;
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
