package rw.intake.excel;

import java.util.List;
import java.util.stream.Stream;
import rw.intake.validation.RawRecord;

/** Reads every record of a workbook with the default reader. */
final class SheetRecordsTestSupport {

    private SheetRecordsTestSupport() {}

    static List<RawRecord> readAll(byte[] xlsx) {
        try (SheetRecords sheet = SheetReader.defaults().open(xlsx);
                Stream<RawRecord> records = sheet.records()) {
            return records.toList();
        }
    }
}
