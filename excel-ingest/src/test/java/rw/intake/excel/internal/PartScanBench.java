package rw.intake.excel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
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
import rw.intake.excel.bench.ReadBench;

/**
 * JMH: the zip pass's scan of a sheet ({@link PartScan}: its markup tokenized, the row count, the cell-reference watch and
 * the bound on rows and texts) over the sheet's
 * XML already inflated in memory, fed in pieces as the pass feeds it, beside the floor of any pass over the same bytes:
 * a loop that only finds each {@code <} and white-space byte. The workbooks are {@link ReadBench}'s. Milliseconds per
 * sheet; the command is in docs/performance.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class PartScanBench {

    /** The pieces the zip pass scans: its inflate buffer. */
    private static final int PIECE = 256 * 1024;

    @Param({"1000000"})
    public int rows;

    @Param({"inline", "shared"})
    public String format;

    private byte[] xml;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] xlsx = ReadBench.workbook(rows, format.equals("inline"));
        try (ZipFile zip = ZipFile.builder()
                .setSeekableByteChannel(new SeekableInMemoryByteChannel(xlsx))
                .get()) {
            ZipArchiveEntry sheet = zip.getEntry("xl/worksheets/sheet1.xml");
            if (sheet == null) {
                throw new IllegalStateException("no xl/worksheets/sheet1.xml in the workbook");
            }
            try (InputStream in = zip.getInputStream(sheet)) {
                xml = in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Benchmark
    public long partScan() {
        PartScan scan = new PartScan("sheet");
        for (int from = 0; from < xml.length; from += PIECE) {
            scan.scan(xml, from, Math.min(PIECE, xml.length - from));
        }
        if (scan.rows() != rows + 1L) {
            throw new IllegalStateException("counted " + scan.rows() + " rows");
        }
        return scan.rows();
    }

    /** The floor: each '<' and each byte of at most a space found, nothing more. */
    @Benchmark
    public long stopsOnly() {
        byte[] b = xml;
        long stops = 0;
        for (int i = 0; i < b.length; i++) {
            int c = b[i];
            if (c == '<' || (c & 0xFF) <= ' ') {
                stops++;
            }
        }
        return stops;
    }
}
