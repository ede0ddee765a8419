package rw.intake.excel.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
import rw.intake.excel.ReadLimits;
import rw.intake.excel.internal.PackageCheck;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;

/**
 * JMH: the zip pre-pass ({@link PackageCheck#inspect}) alone, on one large workbook in memory: by default the sample
 * generator's ({@code rows} records, 10% invalid, seed 201: inline strings, one sheet part of about 320 MB inflated
 * for a million rows), or a file given as {@code -p file=/path/workbook.xlsx} (a spreadsheet program's, with shared
 * strings). Scores are milliseconds per workbook:
 *
 * <pre>{@code
 * mvn -B -q -Pjmh -pl excel-ingest test-compile exec:exec@jmh -Djmh.args="PackageCheckBench"
 * mvn -B -q -Pjmh -pl excel-ingest test-compile exec:exec@jmh -Djmh.args="PackageCheckBench -p file=/tmp/large-lo.xlsx"
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PackageCheckBench {

    @Param({"1000000"})
    public int rows;

    /** A workbook file to check instead of the generated one. */
    @Param({""})
    public String file;

    private byte[] bytes;

    @Setup
    public void setUp() throws IOException {
        bytes = file.isEmpty()
                ? SampleWorkbooks.xlsxBytes(
                        SampleSpec.of(rows, 201).withInvalidRatio(0.1).withReferenceYear(2026))
                : Files.readAllBytes(Path.of(file));
    }

    /** Inflating every part, counting rows, scanning cell references. */
    @Benchmark
    public long inspect() {
        return PackageCheck.inspect(bytes, ReadLimits.defaults()).mostRows();
    }
}
