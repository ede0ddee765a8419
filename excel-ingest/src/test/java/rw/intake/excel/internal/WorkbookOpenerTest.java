package rw.intake.excel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;
import org.junit.jupiter.api.Test;

/**
 * {@link WorkbookOpener} against fastexcel-reader's public stream constructor: the same workbook read, the bytes left
 * as they were, the same failure for damaged bytes; and, with the library version the build uses, opened in place.
 */
final class WorkbookOpenerTest {

    private static final ReadingOptions OPTIONS = new ReadingOptions(true, true);

    /** Rows without their numbers, phonetic runs and missing shared strings are seen in its rows' events. */
    @Test
    void theLibraryVersionOfTheBuildHasItsRowsWatched() {
        assertThat(FastexcelEvents.available()).isTrue();
    }

    @Test
    void theLibraryVersionOfTheBuildIsOpenedInPlace() {
        // If this fails after an upgrade of fastexcel-reader, its package's constructors changed: every upload copies
        // the workbook twice again. Look at WorkbookOpener.
        assertThat(WorkbookOpener.inPlace()).isTrue();
    }

    @Test
    void readsWhatTheStreamConstructorReadsAndLeavesTheBytesAlone() throws IOException {
        byte[] bytes = workbook();
        byte[] before = bytes.clone();
        List<String> inPlace;
        List<String> streamed;
        try (ReadableWorkbook wb = WorkbookOpener.open(bytes, OPTIONS)) {
            inPlace = cells(wb);
            assertThat(wb.isDate1904()).isFalse();
        }
        try (ReadableWorkbook wb = new ReadableWorkbook(new ByteArrayInputStream(bytes), OPTIONS)) {
            streamed = cells(wb);
        }
        assertThat(inPlace)
                .isEqualTo(streamed)
                .contains("People!A1=names", "People!B3=1199080012345678", "Notes!A1=note");
        assertThat(bytes).isEqualTo(before);
    }

    @Test
    void damagedBytesFailAsThroughTheStreamConstructor() {
        byte[] bytes = Arrays.copyOf(workbook(), 200); // the zip's directory cut off
        Class<? extends Throwable> streamed =
                failure(() -> new ReadableWorkbook(new ByteArrayInputStream(bytes), OPTIONS));
        assertThatThrownBy(() -> WorkbookOpener.open(bytes, OPTIONS)).isExactlyInstanceOf(streamed);
    }

    private interface Opening {
        ReadableWorkbook open() throws IOException;
    }

    private static Class<? extends Throwable> failure(Opening opening) {
        try (ReadableWorkbook wb = opening.open()) {
            throw new AssertionError("opened a damaged workbook: " + wb);
        } catch (IOException | RuntimeException e) {
            return e.getClass();
        }
    }

    /** Every non-blank cell of every sheet, as {@code Sheet!A1=text}. */
    private static List<String> cells(ReadableWorkbook wb) throws IOException {
        List<String> cells = new java.util.ArrayList<>();
        for (Sheet sheet : wb.getSheets().toList()) {
            try (var rows = sheet.openStream()) {
                for (Row row : (Iterable<Row>) rows::iterator) {
                    row.stream()
                            .filter(c -> c != null && !c.getText().isEmpty())
                            .forEach(c -> cells.add(sheet.getName() + "!" + c.getAddress() + "=" + c.getText()));
                }
            }
        }
        return cells;
    }

    private static byte[] workbook() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Workbook wb = new Workbook(out, "intake", "1.0");
            Worksheet people = wb.newWorksheet("People");
            String[] header = {"names", "nid", "phone_number", "gender", "email"};
            for (int c = 0; c < header.length; c++) {
                people.value(0, c, header[c]);
            }
            for (int r = 1; r <= 20; r++) {
                people.value(r, 0, "Person " + r);
                people.value(r, 1, String.valueOf(1199080012345676L + r));
                people.value(r, 2, "+2507880000" + (10 + r));
                people.value(r, 3, r % 2 == 0 ? "M" : "F");
                people.value(r, 4, "p" + r + "@example.rw");
            }
            Worksheet notes = wb.newWorksheet("Notes");
            notes.value(0, 0, "note");
            wb.finish();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }
}
