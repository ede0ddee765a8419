package rw.intake.server.internal.upload;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
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
 * CPU time of staging a record ({@link StagedRecords#append}) and of one page of 50 records as JSON, in process (no
 * HTTP): the records rebuilt and mapped through the view records by the server's ObjectMapper, against
 * {@link RecordPageJson} writing from the packed bytes. Records come from a real sample workbook, read and validated.
 *
 * <pre>
 * mvn -B -o -q -pl server-javalin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=rw.intake.server.internal.upload.PageJsonBench
 * </pre>
 */
public final class PageJsonBench {
    private static final int ROWS = 50_000;
    private static final int SIZE = 50;
    private static final int PAGES = 20_000;
    /** Rounds of staging all the records; the last three are printed, the others warm the JIT up. */
    private static final int APPEND_ROUNDS = 20;

    private PageJsonBench() {
    }

    public static void main(String[] args) throws Exception {
        RecordValidator validator = RecordValidator.defaults();
        BatchValidator batch = validator.newBatch();
        List<ValidatedRecord> validated = new ArrayList<>(ROWS);
        try (SheetRecords sheet = SheetReader.defaults().open(SampleWorkbooks.xlsxBytes(SampleSpec.of(ROWS, 2026)));
             Stream<RawRecord> records = sheet.records()) {
            records.forEach(r -> validated.add(batch.next(r)));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        StagedRecords staged = null;
        for (int round = 0; round < APPEND_ROUNDS; round++) {
            long c0 = threads.getCurrentThreadCpuTime();
            staged = new StagedRecords();
            for (ValidatedRecord r : validated) {
                staged.append(r);
            }
            if (round >= APPEND_ROUNDS - 3) {
                System.out.printf(Locale.ROOT, "append round %d: %.0f ns/record%n", round + 1,
                        (double) (threads.getCurrentThreadCpuTime() - c0) / ROWS);
            }
        }
        ObjectMapper mapper = ServerApp.objectMapper();
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            long c0 = threads.getCurrentThreadCpuTime();
            for (int p = 0; p < PAGES; p++) {
                int from = p * SIZE % (ROWS - SIZE);
                List<ValidatedRecord> items = new ArrayList<>(SIZE);
                for (int i = from; i < from + SIZE; i++) {
                    items.add(staged.get(i));
                }
                sink += mapper.writeValueAsBytes(Views.page(new Page<>(items, p + 1, SIZE, ROWS), Views.RecordView::of))
                        .length;
            }
            long c1 = threads.getCurrentThreadCpuTime();
            for (int p = 0; p < PAGES; p++) {
                int from = p * SIZE % (ROWS - SIZE);
                int[] indexes = new int[SIZE];
                for (int i = 0; i < SIZE; i++) {
                    indexes[i] = from + i;
                }
                sink += RecordPageJson.write(staged, indexes, p + 1, SIZE, ROWS).length;
            }
            long c2 = threads.getCurrentThreadCpuTime();
            System.out.printf(Locale.ROOT, "round %d: rebuilt + mapper %.1f us/page, from packed bytes %.1f us/page%n",
                    round + 1, (c1 - c0) / 1e3 / PAGES, (c2 - c1) / 1e3 / PAGES);
        }
        System.out.println("(" + sink + " bytes written)");
    }
}
