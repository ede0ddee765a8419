package rw.intake.excel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static rw.intake.excel.Xlsx.header;
import static rw.intake.excel.Xlsx.row;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import rw.intake.validation.RawRecord;

final class ReadAheadTest {

    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** More rows than one batch, so several hand-overs happen, with blank rows among them. */
    private static byte[] workbook(int rows) {
        StringBuilder sheet = new StringBuilder(header(1));
        for (int r = 2; r <= rows + 1; r++) {
            sheet.append(r % 100 == 0 ? row(r, "", "") : row(r, "Name " + r, "1", "2", "F", "a@b.rw"));
        }
        return Xlsx.ofSheetData(sheet.toString());
    }

    @Test
    void recordsExecutor_sameRecordsAsRecords() {
        byte[] xlsx = workbook(5_000);
        List<RawRecord> direct = SheetRecordsTestSupport.readAll(xlsx);

        SheetRecords sheet = SheetReader.defaults().open(xlsx);
        List<RawRecord> ahead;
        try (Stream<RawRecord> records = sheet.records(executor)) {
            ahead = records.toList();
        }

        assertThat(ahead).hasSize(5_000 - 50).isEqualTo(direct);
        assertThat(sheet.blankRows()).isEqualTo(50);
        assertThat(sheet.rowsRead()).isEqualTo(5_000);
    }

    @Test
    void recordsExecutor_failureReachesConsumer() {
        byte[] xlsx = workbook(5_000);
        SheetRecords sheet = SheetReader.builder().limits(new ReadLimits(1 << 20, 1 << 24, 3_000)).build().open(xlsx);

        try (Stream<RawRecord> records = sheet.records(executor)) {
            assertThatThrownBy(() -> records.forEach(r -> { }))
                    .isInstanceOf(IngestException.class)
                    .hasFieldOrPropertyWithValue("code", IngestException.TOO_MANY_ROWS);
        }
    }

    @Test
    void recordsExecutor_closedEarlyStopsTheReader() throws InterruptedException {
        byte[] xlsx = workbook(50_000);
        SheetRecords sheet = SheetReader.defaults().open(xlsx);

        try (Stream<RawRecord> records = sheet.records(executor)) {
            assertThat(records.limit(10).map(RawRecord::row).toList()).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        }

        // closing waited for the reader task, which stopped early: the executor has nothing left to run
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sheet.rowsRead()).isLessThan(50_000);
    }
}
