package rw.intake.sample.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import rw.intake.sample.SampleSpec;
import rw.intake.sample.SampleWorkbooks;

final class DeterministicZipTest {

    private static final LocalDateTime NEW_YEAR = LocalDateTime.of(2026, 1, 1, 0, 0);

    @Test
    void write_workbookEntriesAreDatedNewYearOfTheReferenceYear() throws IOException {
        byte[] xlsx = SampleWorkbooks.xlsxBytes(SampleSpec.of(50, 3).withReferenceYear(2026));

        List<String> names = new ArrayList<>();
        String core = null;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(xlsx))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                names.add(e.getName());
                assertThat(e.getTimeLocal()).as(e.getName()).isEqualTo(NEW_YEAR);
                byte[] content = zip.readAllBytes();
                if (e.getName().equals("docProps/core.xml")) {
                    core = new String(content, StandardCharsets.UTF_8);
                }
            }
        }

        assertThat(names)
                .contains("xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml", "docProps/core.xml");
        assertThat(core)
                .contains("<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-01-01T00:00:00Z</dcterms:created>");
    }

    @Test
    void write_aZipOfAnotherLayout() throws IOException {
        ByteArrayOutputStream foreign = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(foreign)) {
            zip.putNextEntry(new ZipEntry("a.xml"));
            zip.write("<a/>".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("b.xml"));
            zip.write("<b/>".getBytes(StandardCharsets.UTF_8));
        }
        DeterministicZip rewriter =
                new DeterministicZip(new ByteArrayOutputStream(), NEW_YEAR, Deflater.DEFAULT_COMPRESSION);

        assertThatThrownBy(() -> {
                    rewriter.write(foreign.toByteArray());
                    rewriter.finish();
                })
                .isInstanceOf(ZipException.class);
    }

    @Test
    void write_notAZip() {
        DeterministicZip rewriter =
                new DeterministicZip(new ByteArrayOutputStream(), NEW_YEAR, Deflater.DEFAULT_COMPRESSION);

        assertThatThrownBy(() -> rewriter.write("not a zip at all".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ZipException.class)
                .hasMessageContaining("unexpected zip record");
    }

    @Test
    void finish_beforeTheCentralDirectory() {
        DeterministicZip rewriter =
                new DeterministicZip(new ByteArrayOutputStream(), NEW_YEAR, Deflater.DEFAULT_COMPRESSION);

        assertThatThrownBy(rewriter::finish).isInstanceOf(ZipException.class).hasMessageContaining("ended early");
    }
}
