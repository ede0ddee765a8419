package rw.intake.excel.bench;

import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.Warmup;
import rw.intake.excel.internal.FastexcelSheet;
import rw.intake.excel.internal.PackageCheck;
import rw.intake.validation.RawRecord;

/**
 * JMH: the pair of decision 15. A large sheet opened and read to its last record, read once (inflated by the reader,
 * the zip pass's checks made as it reads: the default from 4 MiB compressed) against checked first (every part
 * inflated by the zip pass before the first record, then the sheet inflated again by the reader). The workbooks are
 * {@link ReadBench}'s. Milliseconds per sheet; the command is in docs/performance.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ReadOnceBench {

    @Param({"1000000"})
    public int rows;

    @Param({"inline", "shared"})
    public String format;

    private byte[] sheet;

    @Setup(Level.Trial)
    public void setUp() {
        sheet = ReadBench.workbook(rows, format.equals("inline"));
    }

    @Benchmark
    public long readOnce() {
        return read(PackageCheck.READ_ONCE_FROM);
    }

    @Benchmark
    public long checkedFirst() {
        return read(Long.MAX_VALUE);
    }

    /** Reads every record, the parts of at least {@code readOnceFrom} compressed bytes read once. */
    private long read(long readOnceFrom) {
        try (FastexcelSheet s = FastexcelSheet.open(sheet, null, ReadBench.READER.limits(), readOnceFrom);
                Stream<RawRecord> records = s.records()) {
            long n = records.count();
            if (n != rows) {
                throw new IllegalStateException("read " + n + " records");
            }
            return n;
        }
    }
}
