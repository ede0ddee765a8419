package rw.intake.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worksheet states the range it really spans, and readers that trust it read every row. */
final class DimensionTest {

    private static final Pattern DIMENSION = Pattern.compile("<dimension ref=\"([^\"]*)\"/>");

    private static String dimension(byte[] xlsx) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(xlsx))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals("xl/worksheets/sheet1.xml")) {
                    Matcher m = DIMENSION.matcher(new String(zip.readAllBytes(), StandardCharsets.UTF_8));
                    return m.find() ? m.group(1) : null;
                }
            }
        }
        return null;
    }

    /** The last row number and the widest row, as fastexcel's reader sees them. */
    private static int[] extent(byte[] xlsx) throws IOException {
        try (ReadableWorkbook wb = new ReadableWorkbook(new ByteArrayInputStream(xlsx));
                Stream<Row> rows = wb.getFirstSheet().openStream()) {
            int[] extent = new int[2];
            rows.forEach(r -> {
                extent[0] = r.getRowNum();
                extent[1] = Math.max(extent[1], r.getCellCount());
            });
            return extent;
        }
    }

    /** A sheet's last row (a header on the row before it) and its last column (16,379 extra columns) are written. */
    @Test
    void xlsxBytes_theLastRowAndTheLastColumnOfASheet() throws IOException {
        byte[] lastRow = SampleWorkbooks.xlsxBytes(new SampleSpec(1, 0, 1, 2026, false, false, 0, 1_048_575, 0));
        byte[] lastColumn = SampleWorkbooks.xlsxBytes(new SampleSpec(1, 0, 1, 2026, false, false, 16_379, 1, 0));

        assertThat(dimension(lastRow)).isEqualTo("A1:E1048576");
        assertThat(extent(lastRow)[0]).isEqualTo(1_048_576);
        assertThat(dimension(lastColumn)).isEqualTo("A1:XFD2");
        assertThat(extent(lastColumn)).containsExactly(2, 16_384);
    }

    @Test
    void xlsxBytes_dimensionIsTheDataRange() throws IOException {
        byte[] xlsx = SampleWorkbooks.xlsxBytes(SampleSpec.of(50_000, 3));

        assertThat(dimension(xlsx)).isEqualTo("A1:E50001");
        assertThat(extent(xlsx)).containsExactly(50_001, 5);
    }

    @Test
    void xlsxBytes_dimensionCountsBlankRowsAndExtraColumns() throws IOException {
        SampleSpec spec =
                SampleSpec.of(3_000, 4).withHeaderVariant(true, true, 3, 2).withBlankRowRatio(0.05);
        byte[] xlsx = SampleWorkbooks.xlsxBytes(spec);
        long lastRow = 2 + 3_000 + SampleWorkbooks.blankRows(spec);

        assertThat(dimension(xlsx)).isEqualTo("A1:H" + lastRow);
        assertThat(extent(xlsx)).containsExactly((int) lastRow, 8);
    }

    @Test
    void xlsxBytes_libreOfficeReadsEveryRow(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(onPath("soffice"), "soffice (LibreOffice) is not installed: the LibreOffice read is not checked");
        Path xlsx = dir.resolve("people.xlsx");
        Files.write(xlsx, SampleWorkbooks.xlsxBytes(SampleSpec.of(5_000, 3)));

        Process p = new ProcessBuilder(
                        "soffice",
                        "-env:UserInstallation=" + dir.resolve("profile").toUri(),
                        "--headless",
                        "--convert-to",
                        "csv",
                        "--outdir",
                        dir.toString(),
                        xlsx.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("soffice.log").toFile())
                .start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("soffice finished").isTrue();

        // LibreOffice writes the CSV in the system's 8-bit charset; only its lines are counted here
        List<String> lines = Files.readAllLines(dir.resolve("people.csv"), StandardCharsets.ISO_8859_1);
        assertThat(lines).hasSize(5_001);
        assertThat(lines.get(5_000)).isNotBlank();
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null
                && Stream.of(path.split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }
}
