package rw.intake.server.internal.upload;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import rw.intake.excel.SheetReader;
import rw.intake.excel.SheetRecords;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;
import rw.intake.server.ServerApp;
import rw.intake.storage.Page;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;

/**
 * JMH: one page of 50 staged records as JSON, three ways that write the same bytes ({@link RecordPageJsonTest}): from
 * the packed bytes through {@link JsonBytes} ({@link RecordPageJson#write}, what the server runs), from the packed
 * bytes through Jackson's {@code JsonGenerator} with {@code SerializedString} names and raw UTF-8 strings
 * ({@link RecordPageJson#writeGenerated}), and the records rebuilt and mapped through the views by the server's
 * ObjectMapper; and staging one record ({@link StagedRecords#append}). The records come from a real sample workbook,
 * read and validated. {@code main} runs JMH with its command-line options; the forked JVM takes the class path of
 * this one, so run it in a JVM of its own (exec:exec, not exec:java):
 *
 * <pre>
 * mvn -B -q -pl server-javalin test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
 *     -Dexec.args="-cp %classpath rw.intake.server.internal.upload.RecordPageJsonBench -f 1 -wi 3 -i 5"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RecordPageJsonBench {
    private static final int ROWS = 50_000;
    private static final int SIZE = 50;

    private final ObjectMapper mapper = ServerApp.objectMapper();
    private List<ValidatedRecord> validated;
    private StagedRecords staged;
    private int[][] pages;
    private int next;

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        String[] options = Stream.concat(Stream.of(RecordPageJsonBench.class.getName()), Stream.of(args))
                .toArray(String[]::new);
        new Runner(new CommandLineOptions(options)).run();
    }

    @Setup
    public void read() {
        BatchValidator batch = RecordValidator.defaults().newBatch();
        validated = new ArrayList<>(ROWS);
        try (SheetRecords sheet = SheetReader.defaults().open(SampleWorkbooks.xlsxBytes(SampleSpec.of(ROWS, 2026)));
                Stream<RawRecord> records = sheet.records()) {
            records.forEach(r -> validated.add(batch.next(r)));
        }
        staged = new StagedRecords();
        validated.forEach(staged::append);
        pages = new int[ROWS / SIZE][SIZE];
        for (int p = 0; p < pages.length; p++) {
            for (int i = 0; i < SIZE; i++) {
                pages[p][i] = p * SIZE + i;
            }
        }
    }

    private int[] nextPage() {
        next = next + 1 == pages.length ? 0 : next + 1;
        return pages[next];
    }

    @Benchmark
    public byte[] pageJsonBytes() {
        return RecordPageJson.write(staged, nextPage(), next + 1, SIZE, ROWS).toByteArray();
    }

    @Benchmark
    public byte[] pageJsonGenerator() {
        return RecordPageJson.writeGenerated(staged, nextPage(), next + 1, SIZE, ROWS);
    }

    @Benchmark
    public byte[] pageRebuiltAndMapped() throws Exception {
        int[] page = nextPage();
        List<ValidatedRecord> items = new ArrayList<>(SIZE);
        for (int i : page) {
            items.add(staged.get(i));
        }
        return mapper.writeValueAsBytes(Views.page(new Page<>(items, next + 1, SIZE, ROWS), Views.RecordView::of));
    }

    /** Staging all the records of the workbook; the figure is per record. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public StagedRecords append() {
        StagedRecords s = new StagedRecords();
        for (ValidatedRecord r : validated) {
            s.append(r);
        }
        return s;
    }
}
