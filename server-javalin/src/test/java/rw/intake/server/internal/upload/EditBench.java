package rw.intake.server.internal.upload;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;

/**
 * Wall time of editing one record of a staged upload of 1,000,000 generated records, in process (no HTTP, no
 * database: nothing is registered): the first edit, which builds the duplicate groups, then edits of random rows
 * (NID into another row's NID and back, phone, email, leaving out and back), each under the upload's write lock
 * with its indexes and counters updated, as {@code PATCH .../records/{row}} does. Prints the build time and heap
 * of the groups and the percentiles of an edit, in wall time and in the editing thread's CPU time.
 *
 * <pre>
 * mvn -B -o -q -pl server-javalin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=rw.intake.server.internal.upload.EditBench -Dexec.args=1000000
 * </pre>
 */
public final class EditBench {
    private static final int EDITS = 20_000;

    private EditBench() {}

    private static void percentiles(String what, long[] nanos) {
        Arrays.sort(nanos);
        int n = nanos.length;
        System.out.printf(
                Locale.ROOT,
                "%,d %s: median %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                n,
                what,
                nanos[n / 2] / 1e6,
                nanos[n * 9 / 10] / 1e6,
                nanos[n * 99 / 100] / 1e6,
                nanos[n - 1] / 1e6);
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        RecordValidator validator = RecordValidator.defaults();
        BatchValidator batch = validator.newBatch(rows);
        Upload upload = new Upload("bench", "bench", "bench.xlsx", Instant.now(), List.of(), List.of(), rows);
        List<ValidatedRecord> chunk = new ArrayList<>(UploadService.CHUNK);
        List<RawRecord> raws = new ArrayList<>(rows);
        SampleWorkbooks.rows(SampleSpec.of(rows, 2026)).forEach(s -> {
            RawRecord raw = new RawRecord(
                    s.row(),
                    s.names(),
                    s.nid(),
                    s.phoneNumber(),
                    s.gender(),
                    s.email(),
                    s.nidNumeric(),
                    s.phoneNumeric());
            raws.add(raw);
            chunk.add(batch.next(raw));
            if (chunk.size() == UploadService.CHUNK) {
                upload.append(chunk, raws.size(), 0);
                chunk.clear();
            }
        });
        upload.append(chunk, raws.size(), 0);
        upload.finish(raws.size(), 0);
        System.out.printf(Locale.ROOT, "staged %,d records, %,d MB%n", raws.size(), upload.retainedBytes() >> 20);

        Random random = new Random(7);
        Instant at = Instant.now();
        long t0 = System.nanoTime();
        upload.edit(raws.get(0).row(), Map.of(Field.NAMES, "First Edit"), null, "bench", at, validator);
        long first = System.nanoTime() - t0;
        System.out.printf(
                Locale.ROOT,
                "first edit (builds the duplicate groups): %d ms, groups %,d MB%n",
                first / 1_000_000,
                upload.editorBytes() >> 20);

        long[] nanos = new long[EDITS];
        long[] cpuNanos = new long[EDITS];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < EDITS; i++) {
            RawRecord r = raws.get(random.nextInt(raws.size()));
            RawRecord other = raws.get(random.nextInt(raws.size()));
            Map<Field, String> values;
            Boolean exclude = null;
            switch (i % 5) {
                case 0 -> values = Map.of(Field.NID, other.nid());
                case 1 -> values = Map.of(Field.NID, r.nid());
                case 2 -> values = Map.of(Field.PHONE_NUMBER, other.phoneNumber());
                case 3 -> values = Map.of(Field.EMAIL, other.email());
                default -> {
                    values = Map.of();
                    exclude = random.nextBoolean();
                }
            }
            long cpu = threads.getCurrentThreadCpuTime();
            long s = System.nanoTime();
            upload.edit(r.row(), values, exclude, "bench", at, validator);
            nanos[i] = System.nanoTime() - s;
            cpuNanos[i] = threads.getCurrentThreadCpuTime() - cpu;
        }
        percentiles("edits, wall time", nanos);
        // CPU time of the editing thread: a wall-time tail that the CPU time lacks is waiting (GC, other processes)
        percentiles("edits, CPU time", cpuNanos);
        System.out.println(upload.summary().totals());
    }
}
