package rw.intake.server.internal.upload;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
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
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.Field;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;

/**
 * JMH: editing one record of a staged upload of generated records ({@code rows}, 1,000,000 by default), in process
 * (no HTTP, no database: nothing is registered), each edit under the upload's write lock with its indexes and counters
 * updated, as {@code PATCH .../records/{row}} does. {@code edit}: edits of random rows (a NID into another row's NID
 * and back, a phone, an email, leaving out and back), sampled, so that JMH prints their percentiles. {@code firstEdit}:
 * the first edit of a freshly staged upload, which builds its duplicate groups, one shot each. The staged upload's heap
 * and its groups' heap are printed by the forked JVM. Run by the {@code jmh} profile:
 *
 * <pre>
 * mvn -B -q -Pjmh -pl server-javalin test-compile exec:exec@jmh -Djmh.args="EditBench"
 * </pre>
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class EditBench {

    @Param("1000000")
    public int rows;

    private final RecordValidator validator = RecordValidator.defaults();
    private final Instant at = Instant.now();
    private final Random random = new Random(7);
    private List<RawRecord> raws;
    private Upload upload;
    private int edits;

    @Setup
    public void stage() {
        raws = new ArrayList<>(rows);
        SampleWorkbooks.rows(SampleSpec.of(rows, 2026))
                .forEach(s -> raws.add(new RawRecord(
                        s.row(),
                        s.names(),
                        s.nid(),
                        s.phoneNumber(),
                        s.gender(),
                        s.email(),
                        s.nidNumeric(),
                        s.phoneNumeric())));
        upload = staged();
        System.out.printf(
                Locale.ROOT, "%nstaged %,d records: %,d MB%n", upload.recordCount(), upload.retainedBytes() >> 20);
    }

    /** A new upload of the records, validated and staged in chunks as the upload's stages stage them. */
    Upload staged() {
        BatchValidator batch = validator.newBatch(rows);
        Upload u = new Upload("bench", "bench", "bench.xlsx", at, List.of(), List.of(), "bench", 1, List.of(), rows);
        List<ValidatedRecord> chunk = new ArrayList<>(UploadService.CHUNK);
        int read = 0;
        for (RawRecord raw : raws) {
            chunk.add(batch.next(raw));
            read++;
            if (chunk.size() == UploadService.CHUNK) {
                u.append(chunk, read, 0);
                chunk.clear();
            }
        }
        u.append(chunk, read, 0);
        u.finish(read, 0, List.of());
        return u;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public Object edit() {
        RawRecord r = raws.get(random.nextInt(raws.size()));
        RawRecord other = raws.get(random.nextInt(raws.size()));
        Map<Field, String> values;
        Boolean exclude = null;
        switch (edits++ % 5) {
            case 0 -> values = Map.of(Field.NID, other.nid());
            case 1 -> values = Map.of(Field.NID, r.nid());
            case 2 -> values = Map.of(Field.PHONE_NUMBER, other.phoneNumber());
            case 3 -> values = Map.of(Field.EMAIL, other.email());
            default -> {
                values = Map.of();
                exclude = random.nextBoolean();
            }
        }
        return upload.edit(r.row(), values, exclude, null, "bench", at, validator);
    }

    /** A freshly staged upload for each first edit. */
    @State(Scope.Thread)
    public static class Fresh {
        Upload upload;
        int row;

        @Setup(Level.Invocation)
        public void stage(EditBench bench) {
            upload = null;
            upload = bench.staged();
            row = bench.raws.get(0).row();
        }

        @TearDown(Level.Iteration)
        public void groups() {
            System.out.printf(Locale.ROOT, "%nthe duplicate groups: %,d MB%n", upload.editorBytes() >> 20);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public Object firstEdit(Fresh fresh) {
        return fresh.upload.edit(fresh.row, Map.of(Field.NAMES, "First Edit"), null, null, "bench", at, validator);
    }
}
