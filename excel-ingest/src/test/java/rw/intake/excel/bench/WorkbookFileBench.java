package rw.intake.excel.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Row;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import rw.intake.excel.SheetReader;
import rw.intake.excel.SheetRecords;
import rw.intake.excel.internal.PackageCheck;
import rw.intake.validation.BatchValidator;
import rw.intake.validation.RawRecord;
import rw.intake.validation.RecordValidator;
import rw.intake.validation.ValidatedRecord;

/**
 * JMH: one workbook file as users send it (the generator's, or the same converted by a spreadsheet program), read from
 * memory, one operation a sheet: fastexcel-reader alone (open, shared strings, every row and cell's value, nothing of
 * ours), the zip pre-pass alone, our read path to raw records, and read + validate on one thread. The file is a
 * parameter ({@code -p file=/path/large.xlsx}); the workbook is not generated here because a spreadsheet program's is
 * the one that matters. Scores are milliseconds per sheet, one shot each:
 *
 * <pre>{@code
 * mvn -B -q -Pjmh -pl excel-ingest test-compile exec:exec@jmh -Djmh.args="WorkbookFileBench -p file=/tmp/large.xlsx"
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class WorkbookFileBench {

    /** {@link ReadBench}'s reader: default limits but bytes. */
    private static final SheetReader READER = ReadBench.READER;

    @Param({""})
    public String file;

    private byte[] bytes;

    @Setup
    public void setUp() throws IOException {
        if (file.isEmpty()) {
            throw new IllegalStateException("pass the workbook: -p file=/path/to/workbook.xlsx");
        }
        bytes = Files.readAllBytes(Path.of(file));
    }

    /** fastexcel-reader alone, as we open it: styles read, every row of the first sheet, every cell's value. */
    @Benchmark
    public long fastexcel() throws IOException {
        long cells = 0;
        try (ReadableWorkbook wb =
                        new ReadableWorkbook(new ByteArrayInputStream(bytes), new ReadingOptions(true, true));
                Stream<Row> rows = wb.getFirstSheet().openStream()) {
            for (Row row : (Iterable<Row>) rows::iterator) {
                for (int c = 0; c < row.getCellCount(); c++) {
                    Cell cell = row.getCell(c);
                    if (cell != null && cell.getValue() != null) {
                        cells++;
                    }
                }
            }
        }
        return cells;
    }

    /** The zip pre-pass alone: inflating every part, counting rows, scanning cell references. */
    @Benchmark
    public long zipPass() {
        return PackageCheck.inspect(bytes, READER.limits()).mostRows();
    }

    @Benchmark
    public long readOnly() {
        try (SheetRecords records = READER.open(bytes);
                Stream<RawRecord> s = records.records()) {
            return s.count();
        }
    }

    @Benchmark
    public long readAndValidate() {
        try (SheetRecords records = READER.open(bytes);
                Stream<RawRecord> s = records.records()) {
            BatchValidator batch = RecordValidator.defaults().newBatch();
            return s.map(batch::next).filter(ValidatedRecord::valid).count();
        }
    }
}
